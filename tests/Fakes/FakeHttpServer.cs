using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Fakes;

/// <summary>A request the fake received, kept for assertions.</summary>
public sealed record RecordedRequest(
    string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>When it arrived, on the fake's <see cref="FakeHttpServer.Clock"/>.</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>A scripted failure: the next matching request gets this instead of the normal answer.</summary>
public sealed record InjectedFault(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan? Delay = null)
{
    /// <summary>Hang longer than any client timeout, then answer 504 (the client should have given up).</summary>
    public static InjectedFault Timeout(TimeSpan delay) => new(504, Delay: delay);
}

/// <summary>
/// A request the fake holds until the test releases it: work in flight at a moment the test chooses (e.g. while an app
/// is removed). <see cref="Arrived"/> completes when the request reached the fake; the answer follows
/// <see cref="Release"/>.
/// </summary>
public sealed class HeldRequest(Func<HttpRequest, bool> match)
{
    private readonly TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Func<HttpRequest, bool> Match { get; } = match;

    public Task Arrived => arrived.Task;

    public void Release() => released.TrySetResult();

    internal async Task WaitAsync(CancellationToken cancellationToken)
    {
        arrived.TrySetResult();
        await released.Task.WaitAsync(cancellationToken);
    }
}

/// <summary>
/// Base of the fake servers: Kestrel on 127.0.0.1 with a free port, request recording, scripted faults and latency.
/// Subclasses map the real service's endpoints in <see cref="MapEndpoints"/>.
/// </summary>
public abstract class FakeHttpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<(Func<HttpRequest, bool> Match, InjectedFault Fault)> faults = new();
    private readonly ConcurrentQueue<HeldRequest> holds = new();
    private WebApplication? app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Added to every answer (not to faults), to behave like a service across a network.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// The service's "now": token lifetimes, rate-limit windows, timestamps it issues or checks. A simulation sets its
    /// simulated clock here so the fake ages with the app under test; latency stays real.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            var headers = context.Request.Headers.ToDictionary(
                h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var query = context.Request.QueryString.Value ?? string.Empty;
            requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path, query, headers, body)
            {
                At = Clock.GetUtcNow(),
            });

            if (TryTakeHold(context.Request) is { } hold)
            {
                await hold.WaitAsync(context.RequestAborted);
            }
            if (TryTakeFault(context.Request, out var fault))
            {
                await WriteFaultAsync(context, fault);
                return;
            }
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, context.RequestAborted);
            }
            await next(context);
        });
        MapEndpoints(app);
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
    }

    /// <summary>Makes the next <paramref name="times"/> requests (matching <paramref name="match"/>, if given) fail
    /// with <paramref name="fault"/>.</summary>
    public void Fail(InjectedFault fault, int times = 1, Func<HttpRequest, bool>? match = null)
    {
        for (var i = 0; i < times; i++)
        {
            faults.Enqueue((match ?? (_ => true), fault));
        }
    }

    public void ClearFaults() => faults.Clear();

    /// <summary>Scripted faults no request has taken yet.</summary>
    public int PendingFaults => faults.Count;

    /// <summary>
    /// Holds the next request matching <paramref name="match"/> until <see cref="HeldRequest.Release"/>.
    /// </summary>
    public HeldRequest Hold(Func<HttpRequest, bool> match)
    {
        var hold = new HeldRequest(match);
        holds.Enqueue(hold);
        return hold;
    }

    public void ClearRequests() => requests.Clear();

    protected abstract void MapEndpoints(WebApplication app);

    private HeldRequest? TryTakeHold(HttpRequest request)
    {
        var count = holds.Count;
        for (var i = 0; i < count && holds.TryDequeue(out var hold); i++)
        {
            if (hold.Match(request))
            {
                return hold;
            }
            holds.Enqueue(hold);
        }
        return null;
    }

    private bool TryTakeFault(HttpRequest request, out InjectedFault fault)
    {
        // Faults are consumed in order; a non-matching head is put back at the end.
        var count = faults.Count;
        for (var i = 0; i < count && faults.TryDequeue(out var entry); i++)
        {
            if (entry.Match(request))
            {
                fault = entry.Fault;
                return true;
            }
            faults.Enqueue(entry);
        }
        fault = null!;
        return false;
    }

    private static async Task WriteFaultAsync(HttpContext context, InjectedFault fault)
    {
        if (fault.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        context.Response.StatusCode = fault.Status;
        foreach (var (name, value) in fault.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        if (fault.Body is not null)
        {
            context.Response.ContentType = fault.Body.TrimStart().StartsWith('{') ? "application/json" : "text/plain";
            await context.Response.WriteAsync(fault.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
