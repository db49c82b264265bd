/**
 * The Lua scripts of the Redis state. Each runs atomically, so instances that
 * share a Redis see one window and one live signal per rule and group. They
 * mirror memory-state.ts and signal-life.ts line for line; the conformance
 * suite runs the same cases against both.
 *
 * Layout, for a group key K (prefix + rule id + NUL + group):
 *   K          hash: last (newest bucket), c<case>:<slot> counts, s<case> their sum, e<case> anomaly
 *              average, learned (ms of history), h<case> = 1 once past the cap
 *   K:v<case>  sorted set: distinct value → newest bucket it was seen in
 *   K:h<case>:<slice>  HyperLogLog per slice of buckets, past the cap
 *   K:s        hash: the live signal (id, sev, first, last, exp, hits, rep, r<case>)
 * Every key expires on its own, which is what bounds Redis memory.
 */

/** KEYS: window hash, signal hash. ARGV: see RedisState#observe. */
export const OBSERVE_LUA = `
local w = KEYS[1]
local now = tonumber(ARGV[1])
local bms = tonumber(ARGV[2])
local wms = tonumber(ARGV[3])
local slots = tonumber(ARGV[4])
local ncases = tonumber(ARGV[5])
local distinctOn = ARGV[6] == '1'
local cap = tonumber(ARGV[7])
local anomaly = ARGV[8] == '1'
local alpha = tonumber(ARGV[9])
local ttl = tonumber(ARGV[10])
local sliceSize = tonumber(ARGV[11])
local buckets = tonumber(ARGV[12])
local nhits = tonumber(ARGV[13])

local cur = math.floor(now / bms)
local last = tonumber(redis.call('HGET', w, 'last'))
if not last then
  last = cur
  redis.call('HSET', w, 'last', cur)
end
local at = math.max(cur, last)
if at > last then
  local gap = at - last
  if anomaly then
    local decay = (1 - alpha) ^ (gap - 1)
    for i = 0, ncases - 1 do
      local fin = tonumber(redis.call('HGET', w, 'c' .. i .. ':' .. (last % slots)) or '0')
      local e = tonumber(redis.call('HGET', w, 'e' .. i) or '0')
      redis.call('HSET', w, 'e' .. i, tostring((e * (1 - alpha) + alpha * fin) * decay))
    end
    local learned = tonumber(redis.call('HGET', w, 'learned') or '0')
    redis.call('HSET', w, 'learned', tostring(learned + gap * bms))
  end
  -- Slots about to be reused leave the running sum (s<case>) as they are cleared.
  for b = last + 1, math.min(at, last + slots) do
    for i = 0, ncases - 1 do
      local f = 'c' .. i .. ':' .. (b % slots)
      local old = tonumber(redis.call('HGET', w, f) or '0')
      if old ~= 0 then
        redis.call('HSET', w, f, 0)
        redis.call('HINCRBY', w, 's' .. i, -old)
      end
    end
  end
  redis.call('HSET', w, 'last', at)
end

local exp = tonumber(redis.call('HGET', KEYS[2], 'exp') or '0')
local alive = now < exp

local function sketchAdd(ci, v, b)
  local k = w .. ':h' .. ci .. ':' .. math.floor(b / sliceSize)
  redis.call('PFADD', k, v)
  redis.call('PEXPIRE', k, ttl + sliceSize * bms)
end

local slot = at % slots
for h = 0, nhits - 1 do
  local ci = ARGV[14 + h * 3]
  local ws = ARGV[15 + h * 3]
  local v = ARGV[16 + h * 3]
  if ws == '0' or alive then
    redis.call('HINCRBY', w, 'c' .. ci .. ':' .. slot, 1)
    redis.call('HINCRBY', w, 's' .. ci, 1)
    if v ~= '' then
      v = string.sub(v, 2)
      if redis.call('HGET', w, 'h' .. ci) == '1' then
        sketchAdd(ci, v, at)
      else
        local z = w .. ':v' .. ci
        redis.call('ZADD', z, at, v)
        redis.call('PEXPIRE', z, ttl)
        if redis.call('ZCARD', z) > cap then
          local all = redis.call('ZRANGE', z, 0, -1, 'WITHSCORES')
          for j = 1, #all, 2 do
            sketchAdd(ci, all[j], tonumber(all[j + 1]))
          end
          redis.call('DEL', z)
          redis.call('HSET', w, 'h' .. ci, '1')
        end
      end
    end
  end
end
redis.call('PEXPIRE', w, ttl)

local start = at - (slots - 1)
local out = { alive and 1 or 0 }
local learned = tonumber(redis.call('HGET', w, 'learned') or '0')
for i = 0, ncases - 1 do
  -- The ring holds exactly the window, so its running sum is the window's count.
  local count = tonumber(redis.call('HGET', w, 's' .. i) or '0')
  local distinct = 0
  if distinctOn then
    if redis.call('HGET', w, 'h' .. i) == '1' then
      local keys = {}
      for s = math.floor(start / sliceSize), math.floor(at / sliceSize) do
        table.insert(keys, w .. ':h' .. i .. ':' .. s)
      end
      distinct = redis.call('PFCOUNT', unpack(keys))
    else
      local z = w .. ':v' .. i
      redis.call('ZREMRANGEBYSCORE', z, '-inf', '(' .. start)
      distinct = redis.call('ZCARD', z)
    end
  end
  local expected = '-1'
  if anomaly then
    local steps = learned / bms
    local correction = 0
    if steps > 0 then correction = 1 - (1 - alpha) ^ steps end
    local e = tonumber(redis.call('HGET', w, 'e' .. i) or '0')
    if correction > 0 then expected = tostring(e / correction * buckets) else expected = '0' end
  end
  table.insert(out, count)
  table.insert(out, distinct)
  table.insert(out, expected)
  table.insert(out, tostring(learned))
end
return out
`;

/** KEYS: signal hash. ARGV: now, severity, keepAliveMs, maxDurationMs, newId, caseIndex, hasResponses, respondForMs, updateEveryMs. */
export const RAISE_LUA = `
local s = KEYS[1]
local now = tonumber(ARGV[1])
local sev = tonumber(ARGV[2])
local keepAlive = tonumber(ARGV[3])
local maxDur = tonumber(ARGV[4])
local ci = ARGV[6]
local respondFor = tonumber(ARGV[8])
local updateEvery = tonumber(ARGV[9])
local exp = tonumber(redis.call('HGET', s, 'exp') or '0')
local status
if now >= exp then
  redis.call('DEL', s)
  redis.call('HSET', s, 'id', ARGV[5], 'sev', sev, 'first', now, 'last', now, 'hits', 0, 'rep', now)
  status = 'opened'
else
  local current = tonumber(redis.call('HGET', s, 'sev'))
  local rep = tonumber(redis.call('HGET', s, 'rep'))
  if sev > current then
    status = 'escalated'
    redis.call('HSET', s, 'sev', sev, 'rep', now)
  elseif now - rep >= updateEvery then
    status = 'updated'
    redis.call('HSET', s, 'rep', now)
  else
    status = 'quiet'
  end
end
local last = math.max(tonumber(redis.call('HGET', s, 'last')), now)
local first = tonumber(redis.call('HGET', s, 'first'))
local hits = redis.call('HINCRBY', s, 'hits', 1)
exp = math.min(last + keepAlive, first + maxDur)
redis.call('HSET', s, 'last', last, 'exp', exp)
local respond = 0
if ARGV[7] == '1' then
  local untilAt = redis.call('HGET', s, 'r' .. ci)
  if (not untilAt) or (respondFor > 0 and now >= tonumber(untilAt)) then
    respond = 1
    if respondFor > 0 then
      redis.call('HSET', s, 'r' .. ci, now + respondFor)
    else
      redis.call('HSET', s, 'r' .. ci, 1e15)
    end
  end
end
-- A minute of slack past expiry, so that an instance whose clock lags still sees the signal.
redis.call('PEXPIRE', s, math.max(1, exp - now) + 60000)
return { redis.call('HGET', s, 'id'), status, tonumber(redis.call('HGET', s, 'sev')), first, last, exp, hits, respond }
`;
