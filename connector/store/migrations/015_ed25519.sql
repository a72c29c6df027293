-- 015_ed25519: Ed25519 signature verification inside the database, so that functions owned by the
-- owner role (retention cuts, checkpoints) can check a signature themselves instead of trusting the
-- service that calls them. Runs inside the store's schema (search_path), as the schema's owner. No inputs.
--
-- Functions
--   standing_ed25519_verify(public_key bytea, message bytea, signature bytea) -> boolean
--       public_key: the 32 raw bytes of an Ed25519 public key (RFC 8032 section 5.1.5; the last 32
--       bytes of its SPKI DER); message: the bytes that were signed; signature: the 64 raw bytes.
--       True only for a valid signature; false (never an error) for anything malformed: wrong lengths,
--       S >= L, a public key that is not a curve point. The check is RFC 8032 section 5.1.7's
--       cofactorless equation [S]B = R + [k]A, decided as ref10 and OpenSSL (so Node's
--       crypto.verify) do: encode [S]B - [k]A and compare it with R's bytes.
--   standing_ed25519_* helpers (field inverse, point add/double, scalar multiplication, encoding):
--       internal to the verifier; points are numeric[] {X, Y, Z, T} in extended coordinates.
--
-- Written in PL/pgSQL with `numeric` (exact arbitrary-precision integers) because neither PostgreSQL
-- nor pgcrypto verifies Ed25519, and PGlite loads no native extension for it. `sha512()` is built in
-- (PostgreSQL 11+). Speed: one verification is a few hundred point operations, milliseconds to tens
-- of milliseconds: meant for retention cuts and checkpoints, never per event.
-- https://www.rfc-editor.org/rfc/rfc8032#section-5.1

-- p = 2^255 - 19, d = -121665/121666 mod p, L = 2^252 + 27742317777372353535851937790883648493.
CREATE FUNCTION standing_ed25519_p() RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT 57896044618658097711785492504343953926634992332820282019728792003956564819949::numeric $$;

-- a^e mod m by square-and-multiply over e's bits, most significant first.
CREATE FUNCTION standing_ed25519_pow(a numeric, e numeric, m numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  bits int[] := '{}';
  r numeric := 1;
  b numeric := mod(a, m);
BEGIN
  WHILE e > 0 LOOP
    bits := bits || mod(e, 2)::int;
    e := div(e, 2);
  END LOOP;
  FOR i IN REVERSE coalesce(array_length(bits, 1), 0)..1 LOOP
    r := mod(r * r, m);
    IF bits[i] = 1 THEN r := mod(r * b, m); END IF;
  END LOOP;
  RETURN r;
END
$$;

-- Little-endian bytes <-> non-negative integer.
CREATE FUNCTION standing_ed25519_from_le(b bytea) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  n numeric := 0;
BEGIN
  FOR i IN REVERSE length(b) - 1..0 LOOP
    n := n * 256 + get_byte(b, i);
  END LOOP;
  RETURN n;
END
$$;

CREATE FUNCTION standing_ed25519_to_le32(n numeric) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  out bytea := decode(repeat('00', 32), 'hex');
BEGIN
  FOR i IN 0..31 LOOP
    out := set_byte(out, i, mod(n, 256)::int);
    n := div(n, 256);
  END LOOP;
  RETURN out;
END
$$;

-- Point addition in extended coordinates (RFC 8032 section 5.1.4, a = -1); also correct for P = Q.
CREATE FUNCTION standing_ed25519_add(p1 numeric[], p2 numeric[]) RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  q constant numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819949;
  d2 constant numeric := 16295367250680780974490674513165176452449235426866156013048779062215315747161; -- 2d mod p
  a numeric; b numeric; c numeric; d numeric; e numeric; f numeric; g numeric; h numeric;
BEGIN
  a := mod((p1[2] - p1[1] + q) * (p2[2] - p2[1] + q), q);
  b := mod((p1[2] + p1[1]) * (p2[2] + p2[1]), q);
  c := mod(mod(p1[4] * d2, q) * p2[4], q);
  d := mod(2 * p1[3] * p2[3], q);
  e := b - a + q;
  f := d - c + q;
  g := d + c;
  h := b + a;
  RETURN ARRAY[mod(e * f, q), mod(g * h, q), mod(f * g, q), mod(e * h, q)];
END
$$;

-- Point doubling (RFC 8032 section 5.1.4, dbl-2008-hwcd).
CREATE FUNCTION standing_ed25519_double(p1 numeric[]) RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  q constant numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819949;
  a numeric; b numeric; c numeric; e numeric; f numeric; g numeric; h numeric;
BEGIN
  a := mod(p1[1] * p1[1], q);
  b := mod(p1[2] * p1[2], q);
  c := mod(2 * p1[3] * p1[3], q);
  h := a + b;
  e := mod(h - mod((p1[1] + p1[2]) * (p1[1] + p1[2]), q) + q, q);
  g := a - b + q;
  f := c + g;
  RETURN ARRAY[mod(e * f, q), mod(g * h, q), mod(f * g, q), mod(e * h, q)];
END
$$;

-- [s]P, double-and-add over s's bits, most significant first (s and P are public: no constant time needed).
CREATE FUNCTION standing_ed25519_mul(s numeric, pt numeric[]) RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  bits int[] := '{}';
  r numeric[] := ARRAY[0, 1, 1, 0]::numeric[];
BEGIN
  WHILE s > 0 LOOP
    bits := bits || mod(s, 2)::int;
    s := div(s, 2);
  END LOOP;
  FOR i IN REVERSE coalesce(array_length(bits, 1), 0)..1 LOOP
    r := standing_ed25519_double(r);
    IF bits[i] = 1 THEN r := standing_ed25519_add(r, pt); END IF;
  END LOOP;
  RETURN r;
END
$$;

-- RFC 8032 section 5.1.2: y little-endian, the sign of x in the top bit.
CREATE FUNCTION standing_ed25519_encode(pt numeric[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  q constant numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819949;
  zi numeric := standing_ed25519_pow(pt[3], q - 2, q);
  x numeric := mod(pt[1] * zi, q);
  y numeric := mod(pt[2] * zi, q);
  out bytea := standing_ed25519_to_le32(y);
BEGIN
  IF mod(x, 2) = 1 THEN out := set_byte(out, 31, get_byte(out, 31) | 128); END IF;
  RETURN out;
END
$$;

-- RFC 8032 section 5.1.3; NULL when the bytes are not a point.
CREATE FUNCTION standing_ed25519_decode(b bytea) RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  q constant numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819949;
  d constant numeric := 37095705934669439343138083508754565189542113879843219016388785533085940283555;
  sqrt_m1 constant numeric := 19681161376707505956807079304988542015446066515923890162744021073123829784752;
  x0 int;
  y numeric;
  u numeric; v numeric; v3 numeric; x numeric; vx2 numeric;
BEGIN
  IF length(b) <> 32 THEN RETURN NULL; END IF;
  x0 := get_byte(b, 31) >> 7;
  y := standing_ed25519_from_le(set_byte(b, 31, get_byte(b, 31) & 127));
  IF y >= q THEN RETURN NULL; END IF;
  u := mod(y * y - 1 + q, q);
  v := mod(d * y * y + 1, q);
  v3 := mod(v * v * v, q);
  x := mod(mod(u * v3, q) * standing_ed25519_pow(mod(u * v3 * v3 * v, q), (q - 5) / 8, q), q);
  vx2 := mod(v * x * x, q);
  IF vx2 = u THEN
    NULL;
  ELSIF vx2 = mod(q - u, q) THEN
    x := mod(x * sqrt_m1, q);
  ELSE
    RETURN NULL;
  END IF;
  IF x = 0 AND x0 = 1 THEN RETURN NULL; END IF;
  IF mod(x, 2) <> x0 THEN x := q - x; END IF;
  RETURN ARRAY[x, y, 1, mod(x * y, q)];
END
$$;

CREATE FUNCTION standing_ed25519_verify(public_key bytea, message bytea, signature bytea) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
DECLARE
  q constant numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819949;
  l constant numeric := 7237005577332262213973186563042994240857116359379907606001950938285454250989;
  base constant numeric[] := ARRAY[
    15112221349535400772501151409588531511454012693041857206046113283949847762202,
    46316835694926478169428394003475163141307993866256225615783033603165251855960,
    1,
    46827403850823179245072216630277197565144205554125654976674165829533817101731];
  a numeric[];
  s numeric;
  k numeric;
  sb numeric[];
  ka numeric[];
BEGIN
  IF public_key IS NULL OR message IS NULL OR signature IS NULL OR length(public_key) <> 32 OR length(signature) <> 64 THEN
    RETURN false;
  END IF;
  s := standing_ed25519_from_le(substring(signature FROM 33 FOR 32));
  IF s >= l THEN RETURN false; END IF;
  a := standing_ed25519_decode(public_key);
  IF a IS NULL THEN RETURN false; END IF;
  k := mod(standing_ed25519_from_le(sha512(substring(signature FROM 1 FOR 32) || public_key || message)), l);
  sb := standing_ed25519_mul(s, base);
  ka := standing_ed25519_mul(k, a);
  -- [S]B + [k](-A): negate A's X and T.
  RETURN standing_ed25519_encode(standing_ed25519_add(sb, ARRAY[mod(q - ka[1], q), ka[2], ka[3], mod(q - ka[4], q)]))
    = substring(signature FROM 1 FOR 32);
END
$$;
