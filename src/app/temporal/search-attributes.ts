// Registers the custom search attributes on any server. On a persisted dev-server database the CLI's
// --search-attribute flag is ignored for the existing namespace, so this runs at every start.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: named ESM imports of its namespaces fail at runtime
import { SearchAttributeType } from '@temporalio/common';
import { searchAttributeKeys } from '../../../workflows/search-attributes.js';

const IVT = proto.temporal.api.enums.v1.IndexedValueType;
const indexedType: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.TEXT]: IVT.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IVT.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IVT.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IVT.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IVT.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** CLI flag form, e.g. `ShortfallCaseStatus=Keyword`. */
export const searchAttributeFlags = searchAttributeKeys.map((k) => {
  const cli: Record<string, string> = {
    KEYWORD: 'Keyword',
    TEXT: 'Text',
    INT: 'Int',
    DOUBLE: 'Double',
    BOOL: 'Bool',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };
  return `${k.name}=${cli[k.type]}`;
});

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = searchAttributeKeys.filter((k) => !(k.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedType[k.type]!])),
    });
  } catch (err) {
    // A concurrent starter may have registered them first: ALREADY_EXISTS (gRPC code 6) is success.
    if ((err as { code?: number }).code !== 6) throw err;
  }
}
