-- wrk script of the soak (bench/soak.py): cycles through the paths given after "--",
-- counts the answers by status, and prints one machine-readable line at the end.
-- Globals, not locals: done() reads each thread's counts with thread:get().
counts = {}
paths = {}
index = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i, path in ipairs(args) do
    paths[i] = path
  end
  index = math.random(#paths) -- threads start on different pages
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local statuses = {}
  for status, n in pairs(total) do
    table.insert(statuses, status .. ":" .. n)
  end
  table.sort(statuses)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "SOAK requests=%d duration_us=%d p50=%d p99=%d max=%d socket_errors=%d statuses=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors, table.concat(statuses, ",")))
end
