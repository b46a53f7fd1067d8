-- wrk script for `cargo xtask bench` (xtask/src/load.rs): loads one endpoint and prints one line
-- of JSON at the end.
--
--   wrk -t T ... -s each_line_once.lua URL -- BODIES T   POSTs each line of BODIES once
--   wrk -t T ... -s each_line_once.lua URL               GETs URL (the same work per request)
--
-- Each line is sent once in all: thread i takes lines i, i + T, i + 2T, ... A thread that runs
-- out stops; the request it is asked for then re-sends its last line (counted as an error by the
-- server's answer) and the JSON says how many threads ran out.
--
-- With WRK_COUNT_STATUSES=1 in the environment, answers that are not 2xx are also counted by
-- status (wrk itself counts those >= 400 as errors, without saying which): that makes wrk hand
-- every response to Lua, a few microseconds a request, so the bare endpoint is loaded without.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies, sent, ran_out, statuses = {}, 0, false, {}
  if args[1] == nil then
    return
  end
  local nthreads = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      bodies[#bodies + 1] = line
    end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if #bodies == 0 then
    return wrk.format()
  end
  if sent < #bodies then
    sent = sent + 1
  elseif not ran_out then
    ran_out = true
    wrk.thread:stop()
  end
  return wrk.format(nil, nil, nil, bodies[sent])
end

if os.getenv("WRK_COUNT_STATUSES") == "1" then
  function response(status, headers, body)
    if status < 200 or status > 299 then
      statuses[status] = (statuses[status] or 0) + 1
    end
  end
end

function done(summary, latency, requests)
  local out_of_lines, lines_sent, statuses = 0, 0, {}
  for _, t in ipairs(threads) do
    if t:get("ran_out") then
      out_of_lines = out_of_lines + 1
    end
    lines_sent = lines_sent + t:get("sent")
    for status, count in pairs(t:get("statuses")) do
      statuses[status] = (statuses[status] or 0) + count
    end
  end
  local counted = {}
  for status, count in pairs(statuses) do
    counted[#counted + 1] = string.format('"%d":%d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    '{"duration_us":%d,"requests":%d,"p50_us":%d,"p99_us":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"status":%d,"statuses":{%s},"lines_sent":%d,' ..
    '"threads_out_of_lines":%d}\n',
    summary.duration, summary.requests, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status, table.concat(counted, ","), lines_sent,
    out_of_lines))
end
