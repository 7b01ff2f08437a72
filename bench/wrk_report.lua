-- wrk script of bench/run.py: at the end of a run, one line "BENCH_JSON {...}" with the
-- latency percentiles (microseconds), the request count and the errors, which
-- bench/run.py parses (wrk --latency prints no 95th percentile).
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"p50_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "mean_us": %.1f, "max_us": %.0f, ' ..
    '"errors": {"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, ' ..
    '"timeout": %.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
