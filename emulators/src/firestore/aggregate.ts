/**
 * count / sum / avg over a query's result (google/firestore/v1/query.proto StructuredAggregationQuery):
 * sum stays an integer while every addend is an integer and it does not overflow, otherwise it is a
 * double; avg is always a double and null when no document has a numeric value.
 */
import { type Codec, isRecord } from './codec.js';
import { invalid } from './errors.js';
import { parseFieldPath } from './paths.js';
import type { StoredDoc } from './store.js';
import { type Fields, getField, toNumber, type Value } from './values.js';

export type Aggregation =
  { alias: string; kind: 'count'; upTo?: number } | { alias: string; kind: 'sum' | 'avg'; path: string[] };

export function parseAggregations(raw: unknown, _codec: Codec): Aggregation[] {
  if (!Array.isArray(raw) || raw.length === 0) throw invalid('Aggregations can not be empty.');
  // Production answers INVALID_ARGUMENT (firebase/flutterfire#12193) with a message that Google's
  // SDK tests match by /maximum number of aggregations/; Google's emulator answers 500 UNKNOWN.
  if (raw.length > 5) {
    throw invalid(
      `The query has ${raw.length} aggregations, more than the maximum number of aggregations (5).`,
    );
  }
  const aliases = new Set<string>();
  return raw.map((a, i) => {
    if (!isRecord(a)) throw invalid('Aggregation must be an object.');
    const alias = typeof a['alias'] === 'string' && a['alias'] !== '' ? a['alias'] : `field_${i + 1}`;
    if (aliases.has(alias)) throw invalid(`Aggregation aliases contain duplicate alias: ${alias}.`);
    aliases.add(alias);
    if (isRecord(a['count'])) {
      const up = a['count']['upTo'];
      const raw = isRecord(up) ? up['value'] : up;
      const upTo = raw === undefined || raw === null ? undefined : Number(raw);
      if (upTo !== undefined && upTo < 0)
        throw invalid('The `up_to` value in a COUNT aggregation must be greater than or equal to zero.');
      if (upTo !== undefined && (!Number.isInteger(upTo) || upTo === 0))
        throw invalid('count.upTo must be positive.');
      return { alias, kind: 'count', upTo };
    }
    for (const kind of ['sum', 'avg'] as const) {
      const spec = a[kind];
      if (isRecord(spec)) {
        const field = spec['field'];
        return { alias, kind, path: parseFieldPath(isRecord(field) ? field['fieldPath'] : undefined) };
      }
    }
    throw invalid('Operator field in Aggregation is not set.');
  });
}

function numberValue(n: number): Value {
  if (Number.isNaN(n)) return { doubleValue: 'NaN' };
  if (!Number.isFinite(n)) return { doubleValue: n > 0 ? 'Infinity' : '-Infinity' };
  return { doubleValue: n };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Aggregates the query's documents. The query already holds only documents that have every
 * sum/avg field (of any type), count included: ops.ts adds those fields to its order, as Google's
 * emulator does (count + sum(a) + avg(b) counts only documents with both a and b).
 */
export function aggregate(docs: StoredDoc[], aggs: Aggregation[]): Fields {
  const out: Fields = {};
  for (const a of aggs) {
    if (a.kind === 'count') {
      const n = a.upTo === undefined ? docs.length : Math.min(docs.length, a.upTo);
      out[a.alias] = { integerValue: String(n) };
      continue;
    }
    let intSum = 0n;
    let dbl = 0;
    let isDouble = false;
    let count = 0;
    for (const d of docs) {
      const v = getField(d.fields, a.path);
      if (!v) continue;
      if ('integerValue' in v) {
        intSum += BigInt(v.integerValue);
        count++;
      } else if ('doubleValue' in v) {
        dbl += toNumber(v);
        isDouble = true;
        count++;
      }
    }
    if (a.kind === 'avg') {
      out[a.alias] = count === 0 ? { nullValue: null } : numberValue((Number(intSum) + dbl) / count);
    } else if (!isDouble && intSum <= INT64_MAX && intSum >= INT64_MIN) {
      out[a.alias] = { integerValue: intSum.toString() };
    } else out[a.alias] = numberValue(Number(intSum) + dbl);
  }
  return out;
}
