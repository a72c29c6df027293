-- field-values-as-of: for each request, the newest reported value of every field of one object at
-- or before a moment (ties on time broken by event id, so the answer never depends on arrival order).
-- $1 json   array of {idx, tenant, source, object, object_id, at}
-- Returns   idx, field_id, field_key, field_title, changed_at (ISO text), event_id, sealed (base64)
SELECT r.idx, f.field_id, f.field_key, f.field_title,
       to_char(f.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS changed_at,
       f.event_id, translate(encode(f.sealed, 'base64'), E'\n', '') AS sealed
FROM json_to_recordset($1::json) AS r(idx int, tenant text, source text, object text, object_id text, at timestamptz)
CROSS JOIN LATERAL (
  SELECT DISTINCT ON (field_id, field_key, field_title) field_id, field_key, field_title, changed_at, event_id, sealed
  FROM field_values
  WHERE tenant = r.tenant AND source = r.source AND object = r.object AND object_id = r.object_id AND changed_at <= r.at
  ORDER BY field_id, field_key, field_title, changed_at DESC, event_id DESC
) AS f;
