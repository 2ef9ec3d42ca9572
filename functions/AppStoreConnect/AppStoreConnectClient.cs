using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Http;

namespace ReviewHub.AppStoreConnect;

/// <summary>
/// Thin typed client for the App Store Connect API: signs each request with the key's JWT, reads the rate-limit header,
/// and turns Apple's error envelope into <see cref="AppStoreConnectException"/>. Retries and timeouts come from the
/// HttpClient's resilience pipeline; features own their resource shapes.
/// </summary>
internal sealed class AppStoreConnectClient(
    HttpClient http, AppStoreConnectTokenFactory tokens, IOptions<AppStoreConnectOptions> options,
        ILogger<AppStoreConnectClient> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>GETs a path ("/v1/...") or an absolute <c>links.next</c> URL returned by Apple.</summary>
    public Task<AppStoreConnectResponse<T>> GetAsync<T>(AppStoreConnectCredential credential, string pathOrUrl,
        CancellationToken cancellationToken) =>
        SendAsync<T>(credential, HttpMethod.Get, pathOrUrl, null, cancellationToken);

    public async Task<AppStoreConnectResponse<T>> SendAsync<T>(
        AppStoreConnectCredential credential, HttpMethod method, string pathOrUrl, object? body,
            CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(credential, method, pathOrUrl, body, cancellationToken);
        var rateLimit = RateLimitOf(response);
        try
        {
            var document = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
            return document is null
                ? throw Malformed(method, pathOrUrl, rateLimit, null)
                : new AppStoreConnectResponse<T>(document, rateLimit);
        }
        catch (JsonException ex)
        {
            throw Malformed(method, pathOrUrl, rateLimit, ex);
        }
    }

    /// <summary>For calls whose success has no body (DELETE → 204).</summary>
    public async Task<RateLimit?> SendWithoutResultAsync(
        AppStoreConnectCredential credential, HttpMethod method, string pathOrUrl, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(credential, method, pathOrUrl, null, cancellationToken);
        return RateLimitOf(response);
    }

    private async Task<HttpResponseMessage> SendRawAsync(
        AppStoreConnectCredential credential, HttpMethod method, string pathOrUrl, object? body,
            CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ResolveUri(pathOrUrl));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetToken(credential));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (OutboundResilience.IsNoAnswer(ex, cancellationToken))
        {
            throw new AppStoreConnectException(AppStoreConnectFailure.Unavailable, null, null,
                $"App Store Connect did not answer {method} {PathOf(pathOrUrl)}: {ex.Message}", inner: ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(credential, method, pathOrUrl, response, cancellationToken);
        }
    }

    private async Task<AppStoreConnectException> ToExceptionAsync(
        AppStoreConnectCredential credential, HttpMethod method, string pathOrUrl, HttpResponseMessage response,
            CancellationToken cancellationToken)
    {
        var rateLimit = RateLimitOf(response);
        var error = await ReadFirstErrorAsync(response, cancellationToken);
        var failure = AppStoreConnectException.Classify(response.StatusCode, error?.Code);
        var detail = error is null ? response.ReasonPhrase
            : $"{error.Code}: {error.Title}{(error.Detail is null ? "" : $" {error.Detail}")}";
        logger.LogWarning("App Store Connect {Method} {Path} failed with {Status} {Code}", method, PathOf(pathOrUrl),
            (int)response.StatusCode, error?.Code);
        return new AppStoreConnectException(failure, response.StatusCode, error?.Code,
            $"App Store Connect answered {(int)response.StatusCode} to {method} {PathOf(pathOrUrl)}: {detail}",
            rateLimit, retryAfter: RetryAfter.Of(response.Headers));
    }

    private static async Task<ErrorEntry?> ReadFirstErrorAsync(HttpResponseMessage response,
        CancellationToken cancellationToken)
    {
        try
        {
            var envelope = await response.Content.ReadFromJsonAsync<ErrorEnvelope>(Json, cancellationToken);
            return envelope?.Errors is [var first, ..] ? first : null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return null; // 406 and proxies answer plain text
        }
    }

    private static RateLimit? RateLimitOf(HttpResponseMessage response) =>
        RateLimit.Parse(response.Headers.TryGetValues(RateLimit.Header, out var values) ? values.FirstOrDefault()
            : null);

    private static AppStoreConnectException Malformed(HttpMethod method, string pathOrUrl, RateLimit? rateLimit,
        Exception? inner) =>
        new(AppStoreConnectFailure.MalformedResponse, HttpStatusCode.OK, null,
            $"App Store Connect answered {method} {PathOf(pathOrUrl)} with a body that is not the expected JSON " +
                $"document.", rateLimit, inner);

    private Uri ResolveUri(string pathOrUrl) =>
        Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute
            : new Uri(new Uri(options.Value.BaseUrl.TrimEnd('/') + "/"), pathOrUrl.TrimStart('/'));

    private static string PathOf(string pathOrUrl) =>
        Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsolutePath
            : pathOrUrl.Split('?')[0];

    private sealed record ErrorEnvelope(IReadOnlyList<ErrorEntry>? Errors);

    private sealed record ErrorEntry(string? Status, string? Code, string? Title, string? Detail);
}
