-- wrk's script for scripts/ci-stack.sh: two logged-in users through nginx, alternating a trainer
-- on a session's marking page and a staff member on the inmate list (all, and a search).
-- Anything but a 200 counts as a failure: a 302 would be a lost session sent to the login page.

local trainer = { path = os.getenv("STACK_MARK_PATH"), cookie = "sessionid=" .. os.getenv("STACK_TRAINER_SESSION") }
local staff = { cookie = "sessionid=" .. os.getenv("STACK_STAFF_SESSION") }
local list_paths = { "/inmates/", "/inmates/?q=a" }

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  count = 0
  not_ok = 0
end

function request()
  count = count + 1
  if count % 2 == 0 then
    return wrk.format("GET", trainer.path, { Cookie = trainer.cookie })
  end
  return wrk.format("GET", list_paths[math.floor(count / 2) % 2 + 1], { Cookie = staff.cookie })
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("not_ok")
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d in %.1f s = %.1f requests/s\n", summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("STACK_RESULT not_200=%d socket_errors=%d\n", failed, socket_errors))
end
