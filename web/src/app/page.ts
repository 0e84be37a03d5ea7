import type { User } from '../firebase/auth.js';

/**
 * What every page receives from the router. Pages move the member on only through `navigate`
 * (or real links), never by drawing another page themselves.
 */
export interface PageContext {
  user: User | null;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** A sentence handed over by the page that navigated here (e.g. "Your account was deleted."). */
  notice: string;
  navigate(path: string, options?: { replace?: boolean; notice?: string }): void;
  /** Draws the current address again, e.g. after the session changed in place. */
  refresh(): void;
  /** Keeps the page while `work` changes the session under it (sign-up, deletion). */
  hold<T>(work: () => Promise<T>): Promise<T>;
  /** Tells this app's other tabs that the account changed here (a verification, a new email). */
  accountChanged(): void;
  /** Names the page in the tab once its data is read ("Conversation with ada"). */
  setTitle(title: string): void;
  /** Aborted when this page is replaced (another address, a redraw): live listeners stop with it. */
  signal: AbortSignal;
}

export type Page = (ctx: PageContext) => HTMLElement | Promise<HTMLElement>;
