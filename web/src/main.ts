import { startFirebase } from './firebase/app.js';
import { watchUser } from './firebase/auth.js';
import { mount } from './ui/dom.js';
import { homeView } from './views/home.js';
import { visitorView } from './views/visitor.js';

await startFirebase();
watchUser((user) => {
  mount(user ? homeView(user) : visitorView());
});
