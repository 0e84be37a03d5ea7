import { collection, firestore, getDocs } from '../firebase/firestore.js';
import { type ContentItem, sortItems, toContentItem } from './library-items.js';

export { type ContentItem, fileName, formatSize } from './library-items.js';

export async function listContent(): Promise<ContentItem[]> {
  const snapshot = await getDocs(collection(firestore(), 'content'));
  const items = snapshot.docs.map((d) => toContentItem(d.id, d.data())).filter((i) => i !== null);
  return sortItems(items);
}
