/**
 * Active content in a PDF, found without rendering it: JavaScript, actions that start programs,
 * media (rendition) actions, which may carry scripts, and XFA forms, which carry their own.
 *
 * What is looked for. Every such feature announces itself with a PDF name in a dictionary: the
 * action's type (`/S /JavaScript`, `/S /Launch`, `/S /Rendition`), the script key `/JS`, the
 * document's `/JavaScript` name tree, a 3D stream's `/OnInstantiate` script (ISO 32000-1 §13.6.3),
 * the AcroForm's `/XFA`. So an `/OpenAction` or an `/AA` (additional actions) entry that leads to a
 * script is caught at the action dictionary it leads to, wherever that sits, without following
 * references; an `/OpenAction` that only shows a page is fine. Names are compared after their `#xx`
 * escapes are decoded (`/J#61vaScript`), and case-insensitively (readers compare exactly, so this
 * only errs towards refusing). Names inside strings are text, not names, and do not count.
 *
 * Where. Readers find objects at `12 0 obj` headers (through the cross-reference table, or by
 * scanning for headers when it is broken) and, since PDF 1.5, inside object streams (§7.5.7), which
 * are compressed. So every object after an `obj` keyword is read here on its own, as a reader would
 * from that offset (one malformed object cannot hide the next), and so is every trailer; object
 * streams are inflated and each object in them read from its offset. Other streams (page contents,
 * images, fonts) hold nothing a reader treats as a dictionary and are never tokenized, which is also
 * why random compressed bytes never read as `/JS`.
 *
 * What cannot be checked is refused: object streams with filters other than FlateDecode, with
 * predictors or with indirect filter parameters, object streams in an encrypted file (their bytes
 * are ciphertext; encrypted files without object streams keep their dictionaries readable), and
 * files that need more work than the budgets below. An object stream that does not inflate is
 * damaged, for readers too.
 */
import { constants, inflateSync } from 'node:zlib';
import {
  isRegular,
  LexBudget,
  LexBudgetExceeded,
  readIntegers,
  readObject,
  streamDataStart,
  type Value,
} from './pdf-syntax.js';

export type PdfProblem =
  'launch' | 'javascript' | 'rendition' | 'xfa' | 'encrypted' | 'uncheckable' | 'damaged';

const MiB = 1024 * 1024;
/** Inflated object streams, all together; ordinary documents need a few MB at most. */
const MAX_DECODED_BYTES = 64 * MiB;
/** Deflate can spend input on empty blocks that yield nothing, so input is counted as well. */
const inflateInputLimit = (fileSize: number): number => 2 * fileSize + MiB;
/** Tokenized bytes; an ordinary file tokenizes each object once, stream data never. */
const lexLimit = (bytes: number): number => 4 * bytes + MiB;
const MAX_OBJECTS_PER_STREAM = 100_000;
const MAX_FILTERS = 4;

const ACTIVE_NAMES: ReadonlyMap<string, PdfProblem> = new Map([
  ['launch', 'launch'],
  ['javascript', 'javascript'],
  ['js', 'javascript'],
  ['oninstantiate', 'javascript'],
  ['rendition', 'rendition'],
  ['xfa', 'xfa'],
]);
/** When a file has several, the reason names the most dangerous. */
const PRIORITY: readonly PdfProblem[] = ['launch', 'javascript', 'rendition', 'xfa'];

class Unreadable extends Error {
  constructor(readonly problem: 'uncheckable' | 'damaged') {
    super(problem);
  }
}

interface ObjectStream {
  entries: Map<string, Value>;
  dataStart: number;
}

/** The first reason to refuse this PDF for its active content, or undefined. Never throws for bad input. */
export function findPdfActiveContent(bytes: Uint8Array): PdfProblem | undefined {
  try {
    return scan(bytes);
  } catch (error) {
    if (error instanceof LexBudgetExceeded) return 'uncheckable';
    if (error instanceof Unreadable) return error.problem;
    throw error;
  }
}

function scan(bytes: Uint8Array): PdfProblem | undefined {
  const found = new Set<PdfProblem>();
  let encrypted = false;
  const onName = (name: string): void => {
    const lower = name.toLowerCase();
    const problem = ACTIVE_NAMES.get(lower);
    if (problem) found.add(problem);
    if (lower === 'encrypt') encrypted = true;
  };
  const worst = (): PdfProblem | undefined => PRIORITY.find((p) => found.has(p));
  const budget = new LexBudget(lexLimit(bytes.length));

  const objectStreams: ObjectStream[] = [];
  for (const start of keywordEnds(bytes, 'obj')) {
    const value = readObject(bytes, start, budget, onName);
    if (value?.kind === 'dict' && value.streamKeywordEnd !== undefined && isObjectStream(value.entries)) {
      objectStreams.push({
        entries: value.entries,
        dataStart: streamDataStart(bytes, value.streamKeywordEnd),
      });
    }
  }
  for (const start of keywordEnds(bytes, 'trailer')) readObject(bytes, start, budget, onName);
  if (worst()) return worst();
  if (objectStreams.length === 0) return undefined;
  if (encrypted) return 'encrypted';

  const inflater = new BoundedInflater(inflateInputLimit(bytes.length));
  for (const stream of objectStreams) {
    const data = decode(bytes, stream, inflater);
    budget.limit += lexLimit(data === bytes ? 0 : data.length);
    const base = data === bytes ? stream.dataStart : 0;
    readObjectStream(data, base, stream.entries, budget, onName);
  }
  return worst();
}

/** Positions just past each occurrence of `word` standing as a keyword of its own. */
function* keywordEnds(bytes: Uint8Array, word: string): Generator<number> {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = view.indexOf(word, 0, 'latin1'); at >= 0; at = view.indexOf(word, at + 1, 'latin1')) {
    const end = at + word.length;
    if ((at === 0 || !isRegular(bytes[at - 1]!)) && (end === bytes.length || !isRegular(bytes[end]!)))
      yield end;
  }
}

/** pdf.js reads any stream with `/N` and `/First` as an object stream when the xref says so. */
function isObjectStream(entries: Map<string, Value>): boolean {
  const type = entries.get('Type');
  return (type?.kind === 'name' && type.name === 'ObjStm') || (entries.has('N') && entries.has('First'));
}

function integerEntry(entries: Map<string, Value>, key: string): number {
  const value = entries.get(key);
  if (value?.kind !== 'number' || !Number.isSafeInteger(value.value) || value.value < 0) {
    throw new Unreadable('uncheckable');
  }
  return value.value;
}

/** The stream's filter names; anything but direct names (a reference, say) cannot be checked. */
function filterNames(value: Value | undefined): string[] {
  if (value === undefined || (value.kind === 'keyword' && value.word === 'null')) return [];
  if (value.kind === 'name') return [value.name];
  if (value.kind === 'array' && value.items.every((item) => item.kind === 'name')) {
    return value.items.map((item) => (item as { name: string }).name);
  }
  throw new Unreadable('uncheckable');
}

/** Predictors (§7.4.4.4) reorder bytes after inflation; none is supported here. */
function hasPredictor(value: Value | undefined): boolean {
  if (value === undefined || (value.kind === 'keyword' && value.word === 'null')) return false;
  if (value.kind === 'array') return value.items.some(hasPredictor);
  if (value.kind !== 'dict') return true;
  const predictor = value.entries.get('Predictor');
  return predictor !== undefined && !(predictor.kind === 'number' && predictor.value <= 1);
}

/**
 * The stream's decoded bytes, or the file itself when it is not filtered (its objects are then
 * read in place from the data start, the `endstream` needing no search: reading stops at each
 * object's end).
 */
function decode(bytes: Uint8Array, stream: ObjectStream, inflater: BoundedInflater): Uint8Array {
  const { entries, dataStart } = stream;
  const filters = filterNames(entries.get('Filter'));
  const flateOnly = filters.every((f) => f === 'FlateDecode' || f === 'Fl');
  if (!flateOnly || filters.length > MAX_FILTERS || hasPredictor(entries.get('DecodeParms'))) {
    throw new Unreadable('uncheckable');
  }
  if (filters.length === 0) return bytes;
  // The zlib stream ends itself, so /Length (maybe indirect, maybe a lie) is not needed.
  let data = bytes.subarray(dataStart);
  for (let i = 0; i < filters.length; i++) data = inflater.inflate(data);
  return data;
}

class BoundedInflater {
  private input = 0;
  private output = 0;
  constructor(private readonly inputLimit: number) {}

  inflate(data: Uint8Array): Buffer {
    if (this.input > this.inputLimit) throw new Unreadable('uncheckable');
    try {
      // `info: true` returns the engine too, whose bytesWritten is the input inflate consumed.
      const { buffer, engine } = inflateSync(data, {
        finishFlush: constants.Z_SYNC_FLUSH, // a stream cut short is read as far as it goes
        maxOutputLength: Math.max(1, MAX_DECODED_BYTES - this.output),
        info: true,
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      this.input += engine.bytesWritten;
      this.output += buffer.length;
      return buffer;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new Unreadable('uncheckable');
      throw new Unreadable('damaged');
    }
  }
}

/** §7.5.7: N pairs of object number and offset, then the objects, offsets counted from /First. */
function readObjectStream(
  data: Uint8Array,
  base: number,
  entries: Map<string, Value>,
  budget: LexBudget,
  onName: (name: string) => void,
): void {
  const count = integerEntry(entries, 'N');
  const first = integerEntry(entries, 'First');
  if (count > MAX_OBJECTS_PER_STREAM) throw new Unreadable('uncheckable');
  const pairs = readIntegers(data, base, 2 * count, budget);
  for (let i = 1; i < pairs.length; i += 2) {
    const at = base + first + pairs[i]!;
    if (at < data.length) readObject(data, at, budget, onName);
  }
}
