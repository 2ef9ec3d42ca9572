using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>An email the fake accepted, parsed from SendGrid's v3 mail/send body.</summary>
public sealed record SentEmail(string From, IReadOnlyList<string> To, string Subject, string? PlainText, string? Html,
    string MessageId);

/// <summary>
/// Plays SendGrid v3 <c>POST /v3/mail/send</c>: bearer key check (401 with SendGrid's error body), the validation
/// errors a backend can trigger (400 with field paths), 202 with <c>X-Message-Id</c>, and recorded emails for
/// assertions.
/// </summary>
public sealed class FakeSendGrid(string apiKey = "SG.test-key") : FakeHttpServer
{
    private readonly ConcurrentQueue<SentEmail> emails = new();
    private int answersToLose;

    public IReadOnlyList<SentEmail> Emails => emails.ToArray();

    public string ApiKey => apiKey;

    /// <summary>
    /// The next <paramref name="times"/> valid messages are accepted (recorded) but their 202 never arrives: the
    /// connection drops, as when the network fails after SendGrid took the message. The caller cannot tell it was sent.
    /// </summary>
    public void LoseAnswers(int times) => Volatile.Write(ref answersToLose, times);

    /// <summary>Drops recorded emails (a test's setup mail, such as confirmation links already followed).</summary>
    public void Forget(Func<SentEmail, bool> which)
    {
        var keep = emails.Where(e => !which(e)).ToList();
        emails.Clear();
        foreach (var email in keep)
        {
            emails.Enqueue(email);
        }
    }

    protected override void MapEndpoints(WebApplication app) => app.MapPost("/v3/mail/send", async context =>
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {apiKey}")
        {
            await Write(context, 401, Errors(("The provided authorization grant is invalid, expired, or revoked",
                null)));
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        var problems = new List<(string Message, string? Field)>();
        var from = root.TryGetProperty("from", out var f) && f.TryGetProperty("email", out var fe) ? fe.GetString()
            : null;
        if (string.IsNullOrEmpty(from) || !from.Contains('@'))
        {
            problems.Add(("The from email does not contain a valid address.", "from.email"));
        }
        var to = root.TryGetProperty("personalizations", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().SelectMany(x => x.TryGetProperty("to", out var t) ? t.EnumerateArray()
                : Enumerable.Empty<JsonElement>())
                .Select(x => x.GetProperty("email").GetString()!).ToList()
            : [];
        if (to.Count == 0)
        {
            problems.Add(("The personalizations field is required and must have at least one personalization.",
                "personalizations"));
        }
        if (to.Count != to.Distinct(StringComparer.OrdinalIgnoreCase).Count())
        {
            problems.Add(("Each email address in the personalization block should be unique between to, cc, and bcc.",
                "personalizations.0.to"));
        }
        var contents = root.TryGetProperty("content", out var c) ? c.EnumerateArray().ToList() : [];
        string? Content(string type) => contents.FirstOrDefault(x => x.GetProperty("type").GetString() == type)
            is { ValueKind: JsonValueKind.Object } e
            ? e.GetProperty("value").GetString() : null;
        if (contents.Count == 0 && !root.TryGetProperty("template_id", out _))
        {
            problems.Add(("Unless a valid template_id is provided, the content parameter is required.", "content"));
        }
        if (contents.Count > 1 && contents[0].GetProperty("type").GetString() != "text/plain")
        {
            problems.Add(("text/plain must be first, followed by text/html.", "content"));
        }
        if (problems.Count > 0)
        {
            await Write(context, 400, Errors([.. problems]));
            return;
        }

        var messageId = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/',
            '_');
        emails.Enqueue(new SentEmail(from!, to, root.TryGetProperty("subject", out var s) ? s.GetString() ?? "" : "",
            Content("text/plain"), Content("text/html"), messageId));
        if (Volatile.Read(ref answersToLose) > 0 && Interlocked.Decrement(ref answersToLose) >= 0)
        {
            context.Abort();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers["X-Message-Id"] = messageId;
    });

    public static string Errors(params (string Message, string? Field)[] errors) => JsonSerializer.Serialize(new
    {
        errors = errors.Select(e => new { message = e.Message, field = e.Field, help = (string?)null }),
    });

    /// <summary>
    /// SendGrid's 429 body and headers, for <see cref="FakeHttpServer.Fail"/>: like the real service it names when the
    /// window resets (<c>X-RateLimit-Reset</c>, epoch seconds) and sends no Retry-After.
    /// </summary>
    public static InjectedFault TooManyRequests(int resetInSeconds = 1) => new(429, Errors(("too many requests", null)),
        new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "600",
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.AddSeconds(resetInSeconds).ToUnixTimeSeconds().ToString(
                CultureInfo.InvariantCulture),
        });

    private static Task Write(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
