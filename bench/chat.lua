-- wrk script: one non-streaming chat completion per request.
wrk.method = "POST"
wrk.body = '{"model":"mock-echo","messages":[{"role":"user","content":"What is the capital of France? Answer in one word."}]}'
wrk.headers["Content-Type"] = "application/json"
if os.getenv("RAMPART_API_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAMPART_API_KEY")
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d p50_us=%d p90_us=%d p99_us=%d mean_us=%.0f rps=%.0f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    summary.requests / (summary.duration / 1e6)))
end
