-- renew-lock: extends a lock's expiry only while it still holds the caller's token, so a process
-- whose lock already expired (and was taken by another) cannot extend the new holder's lock.
-- KEYS[1] lock key; ARGV[1] the caller's token; ARGV[2] new time to live in ms.
-- Returns 1 when renewed, 0 when the lock is gone or held by someone else.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
