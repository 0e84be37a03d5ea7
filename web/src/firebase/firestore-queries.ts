// Queries and typed values for the data modules, from Firestore Lite. A file of its own (rather
// than more names in firestore.ts) so features adding exports side by side cannot collide.
export {
  collection,
  getDocs,
  limit,
  orderBy,
  query,
  Timestamp,
  updateDoc,
  where,
} from 'firebase/firestore/lite';
export type { DocumentData, QueryDocumentSnapshot } from 'firebase/firestore/lite';
