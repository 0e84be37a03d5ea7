import type { Page } from './page.js';
import type { RouteName } from './routes.js';

/** Which module draws each route. Every page is its own chunk, loaded when first visited. */
export type PageName = RouteName | 'staff-refused';

const LOADERS: Record<PageName, () => Promise<Page>> = {
  home: async () => (await import('../views/home.js')).homePage,
  signin: async () => (await import('../views/visitor.js')).signInPage,
  signup: async () => (await import('../views/visitor.js')).signUpPage,
  reset: async () => (await import('../views/visitor.js')).resetPage,
  verify: async () => (await import('../views/verify-email.js')).verifyPage,
  action: async () => (await import('../views/action.js')).actionPage,
  library: async () => (await import('../views/library.js')).libraryPage,
  messages: async () => (await import('../views/messages.js')).messagesPage,
  account: async () => (await import('../views/account.js')).accountPage,
  'delete-account': async () => (await import('../views/delete-account.js')).deleteAccountPage,
  staff: async () => (await import('../views/staff.js')).staffPage,
  'staff-inbox': async () => (await import('../views/inbox.js')).inboxPage,
  'staff-conversation': async () => (await import('../views/inbox.js')).staffConversationPage,
  'staff-refused': async () => (await import('../views/notices.js')).staffRefusedPage,
  'not-found': async () => (await import('../views/notices.js')).notFoundPage,
};

export function loadPage(name: PageName): Promise<Page> {
  return LOADERS[name]();
}
