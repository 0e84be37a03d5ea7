// Uploads with progress and downloads through the SDK with the caller's token (rules checked,
// no long-lived download URLs, DESIGN §3). Its own file so other features' exports cannot collide.
export { getBlob, ref, uploadBytesResumable } from 'firebase/storage';
export type { UploadTask, UploadTaskSnapshot } from 'firebase/storage';
