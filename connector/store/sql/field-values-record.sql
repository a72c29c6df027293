-- field-values-record: adds reported custom field values to the field-value history. One row per
-- source event, so a redelivery or a replay adds nothing.
-- $1 json   array of {tenant, source, object, object_id, field_id, field_key, field_title, changed_at,
--           event_id, sealed (base64 of the sealed {value, actor_id})}
INSERT INTO field_values (tenant, source, object, object_id, field_id, field_key, field_title, changed_at, event_id, sealed)
SELECT tenant, source, object, object_id, field_id, field_key, field_title, changed_at, event_id, decode(sealed, 'base64')
FROM json_to_recordset($1::json) AS v(tenant text, source text, object text, object_id text, field_id text, field_key text,
                                      field_title text, changed_at timestamptz, event_id text, sealed text)
ORDER BY tenant, source, event_id
ON CONFLICT (tenant, source, event_id) DO NOTHING;
