/**
 * Salesforce Outbound Messages: the SOAP envelope a workflow rule or flow posts (up to 100
 * notifications), parsed with a real XML parser, and the exact acknowledgement Salesforce expects.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
 *
 * The message is not signed: the connector checks `OrganizationId` against the tenant, dedupes on
 * the notification `Id`, and relies on IP allow-listing / TLS client certificates (docs/salesforce.md). Pure.
 */
import { MIMEType } from 'node:util';
import { XMLParser } from 'fast-xml-parser';

/** The namespace of the outbound messaging WSDL. */
export const OUTBOUND_NAMESPACE = 'http://soap.sforce.com/2005/09/outbound';
/** Salesforce sends at most 100 notifications per message. */
export const MAX_NOTIFICATIONS = 100;

/** One record change: its notification id (the idempotency key) and the record's fields as sent. */
export interface OutboundNotification {
  id: string;
  /** The sObject type, e.g. `Account`, `Contact` (from `xsi:type="sf:Account"`). */
  object: string;
  /** Field API name -> value as text (`null` for `xsi:nil`). Always has `Id`. */
  fields: Record<string, string | null>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  notifications: OutboundNotification[];
}

export type OutboundParseResult = { ok: true; message: OutboundMessage } | { ok: false; problem: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Field values are kept as written (a reason text's trailing whitespace included); ids are
  // trimmed where they are read. The whitespace between elements becomes `#text`, never a field.
  trimValues: false,
  // Character references (`&#x2028;`, `&#65;`) are text as written, so they must be decoded: the parser
  // decodes them only with `htmlEntities`. Its HTML named entities cannot occur in a well-formed
  // message (XML defines only the five), and `&amp;#65;` still stays the text `&#65;`. Entities
  // declared in a DOCTYPE are never expanded: a DOCTYPE is refused below (XML bombs).
  // https://www.w3.org/TR/xml/#sec-references
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === 'Notification',
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** Parses and checks an Outbound Message envelope. Expected failures are values naming the problem. */
export function parseOutboundMessage(xml: string): OutboundParseResult {
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, problem: 'a DOCTYPE is not allowed in an outbound message' };
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    return { ok: false, problem: `the body is not well-formed XML: ${(err as Error).message.split('\n')[0]}` };
  }
  const envelope = isNode(doc) ? doc.Envelope : undefined;
  const body = isNode(envelope) ? envelope.Body : undefined;
  const notifications = isNode(body) ? body.notifications : undefined;
  if (!isNode(notifications)) return { ok: false, problem: 'Envelope/Body/notifications is missing' };
  if (notifications['@xmlns'] !== undefined && notifications['@xmlns'] !== OUTBOUND_NAMESPACE) {
    return { ok: false, problem: `notifications must be in the namespace ${OUTBOUND_NAMESPACE}` };
  }
  const organizationId = text(notifications.OrganizationId)?.trim();
  const actionId = text(notifications.ActionId)?.trim();
  if (!organizationId || !SALESFORCE_ID.test(organizationId))
    return { ok: false, problem: 'OrganizationId is missing or not a Salesforce id' };
  if (!actionId) return { ok: false, problem: 'ActionId is missing' };
  const list = Array.isArray(notifications.Notification) ? notifications.Notification : [];
  if (list.length === 0) return { ok: false, problem: 'the message has no Notification' };
  if (list.length > MAX_NOTIFICATIONS)
    return {
      ok: false,
      problem: `the message has ${list.length} notifications; Salesforce sends at most ${MAX_NOTIFICATIONS}`,
    };
  const out: OutboundNotification[] = [];
  for (const [i, n] of list.entries()) {
    const id = isNode(n) ? text(n.Id)?.trim() : undefined;
    const sObject = isNode(n) ? n.sObject : undefined;
    if (!id || !SALESFORCE_ID.test(id))
      return { ok: false, problem: `Notification[${i}]/Id is missing or not a Salesforce id` };
    if (!isNode(sObject)) return { ok: false, problem: `Notification[${i}]/sObject is missing` };
    const type = typeof sObject['@type'] === 'string' ? sObject['@type'].replace(/^[^:]*:/, '') : '';
    if (!FIELD_NAME.test(type))
      return { ok: false, problem: `Notification[${i}]/sObject has no xsi:type naming the object` };
    const fields: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(sObject)) {
      if (name.startsWith('@') || !FIELD_NAME.test(name)) continue;
      fields[name] = isNode(value) && (value['@nil'] === 'true' || value['@nil'] === true) ? null : (text(value) ?? '');
    }
    if (!fields.Id || !SALESFORCE_ID.test(fields.Id))
      return { ok: false, problem: `Notification[${i}]/sObject/Id is missing or not a Salesforce id` };
    out.push({ id, object: type, fields });
  }
  return { ok: true, message: { organizationId, actionId, notifications: out } };
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

/**
 * The media type of an Outbound Message: SOAP 1.1 over HTTP must be `text/xml` (section 6,
 * https://www.w3.org/TR/2000/NOTE-SOAP-20000508/#_Toc478383526), and the body is read as UTF-8.
 */
export const OUTBOUND_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** Why a request's `Content-Type` is not an Outbound Message's (`text/xml`, charset UTF-8 if named), or null. */
export function outboundContentTypeProblem(header: string | undefined): string | null {
  const expected = `an outbound message is ${OUTBOUND_CONTENT_TYPE} (SOAP 1.1)`;
  if (!header) return `Content-Type is missing: ${expected}`;
  let type: MIMEType;
  try {
    type = new MIMEType(header);
  } catch {
    return `Content-Type is not a media type: ${expected}`;
  }
  if (type.essence !== 'text/xml') return `Content-Type ${type.essence} is not supported: ${expected}`;
  const charset = type.params.get('charset');
  if (charset !== null && charset.toLowerCase() !== 'utf-8')
    return `charset ${charset.slice(0, 40)} is not supported: ${expected}`;
  return null;
}

/** The acknowledgement Salesforce expects once every notification is stored; anything else is retried. */
export const OUTBOUND_ACK =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n' +
  ' <soapenv:Body>\n' +
  `  <notificationsResponse xmlns="${OUTBOUND_NAMESPACE}">\n` +
  '   <Ack>true</Ack>\n' +
  '  </notificationsResponse>\n' +
  ' </soapenv:Body>\n' +
  '</soapenv:Envelope>\n';

/** A SOAP 1.1 Fault: Salesforce keeps the message and retries (backing off up to 24 hours). */
export function soapFault(code: 'soapenv:Client' | 'soapenv:Server', message: string): string {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n' +
    ' <soapenv:Body>\n' +
    '  <soapenv:Fault>\n' +
    `   <faultcode>${code}</faultcode>\n` +
    `   <faultstring>${escaped}</faultstring>\n` +
    '  </soapenv:Fault>\n' +
    ' </soapenv:Body>\n' +
    '</soapenv:Envelope>\n'
  );
}
