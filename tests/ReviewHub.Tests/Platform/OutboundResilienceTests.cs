using System.Net;
using Polly;
using Polly.Timeout;
using ReviewHub.Http;

namespace ReviewHub.Tests.Platform;

/// <summary>What the retry of non-idempotent calls (<see cref="OutboundRetry.UnprocessedOnly"/>) may repeat.</summary>
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
            "connection refused" => Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused")),
            "name not resolved" => Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.NameResolutionError, "nxdomain")),
            "timeout" => Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()),
            "connection dropped mid-response" => Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")),
            var status => Outcome.FromResult(new HttpResponseMessage((HttpStatusCode)int.Parse(status))),
        };

        Assert.Equal(repeated, OutboundResilience.WasCertainlyNotProcessed(result));
    }
}
