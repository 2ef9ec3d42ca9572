using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Timeout;
using ReviewHub.Http;

namespace ReviewHub.Tests.Platform;

/// <summary>What the outbound retry repeats, and how long it sits out a rate limit before the caller does.</summary>
public sealed class OutboundResilienceTests
{
    public static TheoryData<string, bool> Outcomes => new()
    {
        { "429", true },
        { "connection refused", true },
        { "name not resolved", true },
        { "500", false },
        { "503", false },
        { "408", false },
        { "timeout", false },
        { "connection dropped mid-response", false },
        { "200", false },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void Only_attempts_the_service_certainly_did_not_process_are_repeated(string outcome, bool repeated)
    {
        var result = outcome switch
        {
            "connection refused" => Outcome.FromException<HttpResponseMessage>(new HttpRequestException(
                HttpRequestError.ConnectionError, "refused")),
            "name not resolved" => Outcome.FromException<HttpResponseMessage>(new HttpRequestException(
                HttpRequestError.NameResolutionError, "nxdomain")),
            "timeout" => Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()),
            "connection dropped mid-response" => Outcome.FromException<HttpResponseMessage>(new HttpRequestException(
                HttpRequestError.ResponseEnded, "ended")),
            var status => Outcome.FromResult(new HttpResponseMessage((HttpStatusCode)int.Parse(status,
                CultureInfo.InvariantCulture))),
        };

        Assert.Equal(repeated, OutboundResilience.WasCertainlyNotProcessed(result));
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, Action<HttpResponseMessage>? headers = null)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.Date = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        headers?.Invoke(response);
        return response;
    }

    [Fact]
    public void The_wait_comes_from_retry_after_in_seconds_or_as_a_date_or_else_from_the_reset_time()
    {
        var date = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(25), RetryAfter.Of(Answer(HttpStatusCode.TooManyRequests,
            r => r.Headers.RetryAfter = new(TimeSpan.FromSeconds(25))).Headers));
        // A date is read against the answer's own Date header: the service's clock, not ours.
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Of(Answer(HttpStatusCode.ServiceUnavailable,
            r => r.Headers.RetryAfter = new(date.AddSeconds(30))).Headers));
        var reset = date.AddSeconds(40).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        HttpResponseMessage Window(string remaining) => Answer(HttpStatusCode.TooManyRequests, r =>
        {
            r.Headers.Add(RetryAfter.RateLimitRemainingHeader, remaining);
            r.Headers.Add(RetryAfter.RateLimitResetHeader, reset);
        });
        Assert.Equal(TimeSpan.FromSeconds(40), RetryAfter.Of(Window("0").Headers));
        Assert.Null(RetryAfter.Of(Window("12").Headers)); // requests left: the reset is no wait
        Assert.Equal(TimeSpan.Zero, RetryAfter.Of(Answer(HttpStatusCode.TooManyRequests,
            r => r.Headers.RetryAfter = new(date.AddMinutes(-1))).Headers));
        Assert.Null(RetryAfter.Of(Answer(HttpStatusCode.TooManyRequests).Headers));
        Assert.Null(RetryAfter.Of(Answer(HttpStatusCode.TooManyRequests, r =>
        {
            r.Headers.Add(RetryAfter.RateLimitRemainingHeader, "0");
            r.Headers.Add(RetryAfter.RateLimitResetHeader, "soon");
        }).Headers));
    }

    [Fact]
    public void Waits_up_to_the_limit_stay_in_process_longer_ones_go_to_the_caller_who_defers_within_the_cap()
    {
        var rule = new OutboundHttpOptions();
        HttpResponseMessage After(int seconds) =>
            Answer(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new(TimeSpan.FromSeconds(seconds)));

        Assert.False(rule.LeavesToCaller(After(5)));
        Assert.True(rule.LeavesToCaller(After(6)));
        Assert.False(rule.LeavesToCaller(Answer(HttpStatusCode.TooManyRequests))); // no wait named: the usual backoff
        Assert.Equal(TimeSpan.FromSeconds(1), rule.DeferralFor(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(25), rule.DeferralFor(TimeSpan.FromSeconds(25)));
        Assert.Equal(TimeSpan.FromHours(1), rule.DeferralFor(TimeSpan.FromDays(2)));
    }

    /// <summary>Answers 429 with the given Retry-After once, then 200; counts the requests.</summary>
    private sealed class RateLimitingHandler(int retryAfterSeconds) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken token) =>
            Task.FromResult(++Requests == 1
                ? Answer(HttpStatusCode.TooManyRequests,
                    r => r.Headers.RetryAfter = new(TimeSpan.FromSeconds(retryAfterSeconds)))
                : new HttpResponseMessage(HttpStatusCode.OK));
    }

    [Theory]
    [InlineData(nameof(OutboundRetry.Transient), 1, HttpStatusCode.OK, 2)]
    [InlineData(nameof(OutboundRetry.Transient), 25, HttpStatusCode.TooManyRequests, 1)]
    [InlineData(nameof(OutboundRetry.UnprocessedOnly), 1, HttpStatusCode.OK, 2)]
    [InlineData(nameof(OutboundRetry.UnprocessedOnly), 25, HttpStatusCode.TooManyRequests, 1)]
    public async Task The_pipeline_sits_out_a_short_retry_after_and_hands_a_long_one_back_at_once(
        string retryName, int retryAfterSeconds, HttpStatusCode expected, int requests)
    {
        var retry = Enum.Parse<OutboundRetry>(retryName);
        var handler = new RateLimitingHandler(retryAfterSeconds);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddHttpClient("probe").ConfigurePrimaryHttpMessageHandler(() => handler)
            .AddOutboundResilience(retry: retry);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("probe");

        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync("http://service.test/send", new StringContent("{}"));
        watch.Stop();

        Assert.Equal((expected, requests), (response.StatusCode, handler.Requests));
        var inProcessLimit = new OutboundHttpOptions().MaxRetryAfterWait;
        Assert.True(watch.Elapsed < inProcessLimit, $"The call was held {watch.Elapsed} (limit {inProcessLimit}).");
        if (expected == HttpStatusCode.TooManyRequests)
        {
            Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), RetryAfter.Of(response.Headers));
        }
    }
}
