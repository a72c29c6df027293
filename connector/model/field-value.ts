/**
 * A custom field value as a source reported it: the unit of the field-value history that mapping
 * reads "as of" an event (a status change's reason, a ticket's approval decision).
 */
export interface ReportedFieldValue {
  /** The provider's object the field belongs to, e.g. Zendesk `user`, `organization`, `ticket`. */
  object: string;
  object_id: string;
  /** The field as the reporting event named it, lower-cased ('' when not named that way). */
  field_id: string;
  field_key: string;
  field_title: string;
  value: unknown;
  /** Who set it (Zendesk ticket events name an actor; user and organization events do not). */
  actor_id: string | null;
  /** When it was set at the source (ISO-8601, UTC, ms). */
  changed_at: string;
  /** The source event that reported it. */
  event_id: string;
}
