-- release-lock: deletes a lock only while it still holds the caller's token, so a process whose
-- lock expired cannot delete the lock another process has taken since.
-- KEYS[1] lock key; ARGV[1] the caller's token.
-- Returns 1 when released, 0 when the lock was gone or held by someone else.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
