export type ContentKind = 'video' | 'pdf' | 'image' | 'text' | 'zip';
export type Tier = 'free' | 'premium';

/** One `content/{id}` document: the catalogue entry of a file in Storage. */
export interface ContentItem {
  id: string;
  title: string;
  description: string;
  tier: Tier;
  storagePath: string;
  size: number;
  kind: ContentKind;
}

const KINDS: readonly string[] = ['video', 'pdf', 'image', 'text', 'zip'];

/** Skips malformed entries rather than showing a broken item. */
export function toContentItem(id: string, data: Record<string, unknown>): ContentItem | null {
  const { title, description, tier, storagePath, size, kind } = data;
  if (typeof title !== 'string' || typeof storagePath !== 'string') return null;
  if (tier !== 'free' && tier !== 'premium') return null;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) return null;
  if (typeof size !== 'number' || size < 0) return null;
  return {
    id,
    title,
    description: typeof description === 'string' ? description : '',
    tier,
    storagePath,
    size,
    kind: kind as ContentKind,
  };
}

/** Free items first, then by title, so what a member can open now is at the top. */
export function sortItems(items: ContentItem[]): ContentItem[] {
  return [...items].sort((a, b) =>
    a.tier === b.tier ? a.title.localeCompare(b.title) : a.tier === 'free' ? -1 : 1,
  );
}

export function fileName(item: ContentItem): string {
  return item.storagePath.split('/').pop() ?? item.id;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
