using System.Net.Http.Headers;
using System.Text.Json;
using Polly.Timeout;

namespace ReviewHub.Delivery;

/// <summary>Turns transport failures of a channel call (after the resilience pipeline's retries) into retryable <see
/// cref="ChannelException"/>s.</summary>
internal static class ChannelHttp
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string service,
        CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            throw new ChannelException(refused.Message, routeBroken: true, inner: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ChannelException($"{service} did not answer: {ex.GetType().Name}.", inner: ex);
        }
    }

    /// <summary>
    /// Reads a successful answer's JSON object. A 2xx whose body is not a JSON object (a proxy's or load balancer's
    /// HTML page) says nothing about whether the service acted: a retryable failure, never an unhandled crash.
    /// </summary>
    public static async Task<JsonDocument> ReadJsonObjectAsync(HttpResponseMessage response, string service,
        CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                return json;
            }
            json.Dispose();
        }
        catch (JsonException)
        {
        }
        throw new ChannelException(
            $"{service} answered HTTP {(int)response.StatusCode} with a body that is not a JSON object.");
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
}
