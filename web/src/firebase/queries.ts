// Collection reads for the library and the staff console, kept beside firestore.ts so views
// and data modules still never import the SDK themselves.
export { collection, getDocs, limit, orderBy, query } from 'firebase/firestore/lite';
