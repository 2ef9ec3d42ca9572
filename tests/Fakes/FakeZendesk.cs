using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A ticket update the fake applied: a comment and, when given, a new status.</summary>
public sealed record ZendeskTicketUpdate(long TicketId, string? Comment, bool Public, string? Status);

/// <summary>A ticket the fake created.</summary>
public sealed record ZendeskTicket(long Id, string Subject, string Body, IReadOnlyList<string> Tags,
    string? ExternalId);

/// <summary>
/// Plays Zendesk's <c>POST /api/v2/tickets(.json)</c>: API-token Basic auth (<c>{email}/token:{token}</c>, else 401
/// "Couldn't authenticate you"), 422 RecordInvalid without a comment, 201 with the ticket and rate-limit headers, and
/// the Idempotency-Key contract (miss, hit with the original ticket, 400 IdempotentRequestError for a different body).
/// </summary>
public sealed class FakeZendesk : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, string> credentials = new();
    private readonly ConcurrentQueue<ZendeskTicket> tickets = new();
    private readonly ConcurrentDictionary<string, (string Hash, string Response)> idempotency = new();
    private readonly ConcurrentQueue<ZendeskTicketUpdate> updates = new();
    private readonly ConcurrentDictionary<long, string> statuses = new();
    private long nextId = 1000;

    public IReadOnlyList<ZendeskTicket> Tickets => tickets.ToArray();

    public IReadOnlyList<ZendeskTicketUpdate> Updates => updates.ToArray();

    /// <summary>A ticket's status: new when created, then as updates set it (closed makes it read-only).</summary>
    public string? StatusOf(long ticketId) => statuses.TryGetValue(ticketId, out var status) ? status : null;

    public void SetStatus(long ticketId, string status) => statuses[ticketId] = status;

    public FakeZendesk AddCredential(string email, string apiToken) { credentials[email] = apiToken; return this; }

    public static InjectedFault TooManyRequests(int retryAfterSeconds = 1) =>
        new(429, """{"error":"TooManyRequests","description":"Rate limit exceeded"}""",
        new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture) });

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapPost("/api/v2/tickets.json", CreateAsync);
        app.MapPost("/api/v2/tickets", CreateAsync);
        app.MapPut("/api/v2/tickets/{id}.json", UpdateAsync);
    }

    /// <summary>
    /// <c>PUT /api/v2/tickets/{id}.json</c>: 404 RecordNotFound for an unknown ticket, 422 for a closed one
    /// (read-only), else applies the comment and status and answers 200 with the ticket. No Idempotency-Key on updates.
    /// </summary>
    private async Task UpdateAsync(HttpContext context, string id)
    {
        if (!Authenticated(context.Request))
        {
            await Write(context, 401, """{"error":"Couldn't authenticate you"}""");
            return;
        }
        if (!long.TryParse(id, out var ticketId) || !statuses.TryGetValue(ticketId, out var current))
        {
            await Write(context, 404, """{"error":"RecordNotFound","description":"Not found"}""");
            return;
        }
        if (current == "closed")
        {
            await Write(context, 422, """
                {"error":"RecordInvalid","description":"Record validation errors","details":{"status":[
                {"description":"Status: closed prevents ticket update","error":"ClosedPreventsUpdate"}]}}
                """);
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var ticket = body.RootElement.GetProperty("ticket");
        string? comment = null;
        var isPublic = true;
        if (ticket.TryGetProperty("comment", out var c))
        {
            comment = c.TryGetProperty("body", out var b) ? b.GetString() : null;
            isPublic = !c.TryGetProperty("public", out var p) || p.GetBoolean();
        }
        var status = ticket.TryGetProperty("status", out var s) ? s.GetString() : null;
        if (status is not null)
        {
            statuses[ticketId] = status;
        }
        updates.Enqueue(new ZendeskTicketUpdate(ticketId, comment, isPublic, status));
        await Write(context, 200,
            JsonSerializer.Serialize(new { ticket = new { id = ticketId, status = statuses[ticketId] } }));
    }

    private async Task CreateAsync(HttpContext context)
    {
        if (!Authenticated(context.Request))
        {
            await Write(context, 401, """{"error":"Couldn't authenticate you"}""");
            return;
        }
        var raw = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(raw)));
        if (key.Length > 0 && idempotency.TryGetValue(key, out var seen))
        {
            context.Response.Headers["x-idempotency-lookup"] = "hit";
            if (seen.Hash != hash)
            {
                await Write(context, 400, """
                    {"error":"IdempotentRequestError",
                    "description":"Request parameters don't match the given idempotency key"}
                    """);
                return;
            }
            await Write(context, 201, seen.Response);
            return;
        }

        using var body = JsonDocument.Parse(raw);
        var ticket = body.RootElement.GetProperty("ticket");
        var comment = ticket.TryGetProperty("comment", out var c) && (c.TryGetProperty("body", out var b)
            || c.TryGetProperty("html_body", out b)) ? b.GetString() : null;
        if (string.IsNullOrEmpty(comment))
        {
            await Write(context, 422, """
                {"error":"RecordInvalid","description":"Record validation errors",
                "details":{"base":[{"description":"Comment: cannot be blank","error":"BlankValue"}]}}
                """);
            return;
        }
        var created = new ZendeskTicket(Interlocked.Increment(ref nextId),
            ticket.TryGetProperty("subject", out var s) ? s.GetString() ?? "" : "", comment,
            ticket.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString()!).ToList() : [],
            ticket.TryGetProperty("external_id", out var e) ? e.GetString() : null);
        var response = JsonSerializer.Serialize(new
        {
            ticket = new
            {
                id = created.Id, url = $"{BaseAddress}api/v2/tickets/{created.Id}.json", external_id =
                    created.ExternalId,
                subject = created.Subject, status = "new", tags = created.Tags,
                created_at = Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            },
        });
        if (key.Length > 0 && !idempotency.TryAdd(key, (hash, response)))
        {
            // A concurrent request with the same key won: answer as its replay.
            context.Response.Headers["x-idempotency-lookup"] = "hit";
            await Write(context, 201, idempotency[key].Response);
            return;
        }
        tickets.Enqueue(created);
        statuses[created.Id] = "new";
        context.Response.Headers["x-idempotency-lookup"] = "miss";
        context.Response.Headers.Location = $"{BaseAddress}api/v2/tickets/{created.Id}.json";
        await Write(context, 201, response);
    }

    private bool Authenticated(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var split = decoded.IndexOf(':');
            var user = split < 0 ? "" : decoded[..split];
            return user.EndsWith("/token", StringComparison.Ordinal)
                && credentials.TryGetValue(user[..^"/token".Length], out var token) && token == decoded[(split + 1)..];
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task Write(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers["X-Rate-Limit"] = "700";
        context.Response.Headers["X-Rate-Limit-Remaining"] = "699";
        return context.Response.WriteAsync(json);
    }
}
