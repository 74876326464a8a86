-- Driven by bench/load.ts:
--   wrk -s bench/wrk.lua ... -- <bodies file> <max requests> <threads> <finished file> <connections>
-- Each request sends the next body of the file (one JSON body per line), so every
-- request names another identity or another flow id and token. Thread i takes lines
-- i, i + threads, ...: with one-shot bodies (redemptions) no two threads send the same.
-- With a maximum, each thread stops after its share of responses; otherwise wrk's -d ends
-- the run. done() prints one JSON line after a marker for load.ts to read.

local ffi = require("ffi")
ffi.cdef([[
  int getpid(void);
  long syscall(long number, ...);
]])
-- tgkill(2): wrk's main thread sleeps for all of -d and only a SIGINT to that thread
-- (whose id is the process id) wakes it; a process-wide signal may land on a worker.
local SYS_TGKILL = ({ x64 = 234, arm64 = 131 })[ffi.arch]
local SIGINT = 2

wrk.method = "POST"
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  local stride = tonumber(args[3])
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % stride == index then
      table.insert(bodies, line)
    end
    line_number = line_number + 1
  end
  -- Fewer bodies than threads (one identity): every thread sends them all.
  if #bodies == 0 then
    for line in io.lines(args[1]) do
      table.insert(bodies, line)
    end
  end
  -- A thread sends at most its share; a one-shot body is never sent twice as long as the
  -- share leaves room for the requests still in flight when the thread stops.
  local maximum = tonumber(args[2])
  limit = maximum > 0 and math.ceil(maximum / stride) or 0
  if maximum > 0 and maximum <= line_number then
    -- One-shot bodies: stop early enough that no connection wraps around to a body
    -- already sent while the thread's last responses are on their way.
    limit = math.min(limit, #bodies - math.ceil(tonumber(args[5]) / stride))
  end
  finished_file = args[4]
  threads_total = stride
  next_body = 0
  responses = 0
  failures = 0
  statuses = {}
end

function request()
  next_body = next_body + 1
  return wrk.format(nil, nil, nil, bodies[(next_body - 1) % #bodies + 1])
end

function response(status, headers, body)
  responses = responses + 1
  statuses[status] = (statuses[status] or 0) + 1
  -- A GraphQL error answered with 200 still is not the work being measured.
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = failures + 1
  end
  if limit > 0 and responses == limit then
    wrk.thread:stop()
    finished()
  end
end

-- The last thread to finish its share ends the run at once rather than at the end of -d:
-- each appends a byte to a file, and whoever sees one byte per thread signals.
function finished()
  local file = io.open(finished_file, "a")
  file:write("x")
  file:close()
  file = io.open(finished_file, "r")
  local size = file:seek("end")
  file:close()
  if size >= threads_total and SYS_TGKILL then
    local pid = ffi.C.getpid()
    ffi.C.syscall(SYS_TGKILL, ffi.cast("long", pid), ffi.cast("long", pid), ffi.cast("long", SIGINT))
  end
end

function done(summary, latency, requests)
  local failed, by_status, status_counts = 0, {}, {}
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  for status, count in pairs(by_status) do
    status_counts[#status_counts + 1] = string.format('"%d":%d', status, count)
  end
  local errors = summary.errors
  io.write("\n@@bench-wrk@@")
  io.write(string.format(
    '{"requests":%d,"durationMicroseconds":%d,"p50":%d,"p99":%d,"max":%d,"failed":%d,"socketErrors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, failed,
    errors.connect + errors.read + errors.write + errors.timeout, table.concat(status_counts, ",")))
end
