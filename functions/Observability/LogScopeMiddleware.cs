using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Observability;

/// <summary>
/// Opens a logging scope around every invocation with the function name, the invocation id and the account, app and
/// review ids found in the trigger's binding data (HTTP route values, or the top-level fields of a JSON queue message),
/// so every log line a function writes can be filtered by tenant in Application Insights. The operation (trace) id is
/// added by OpenTelemetry.
/// </summary>
internal sealed class LogScopeMiddleware(ILogger<LogScopeMiddleware> logger) : IFunctionsWorkerMiddleware
{
    /// <summary>Binding-data names copied into the scope (matched case-insensitively), with the scope key they
    /// become.</summary>
    private static readonly IReadOnlyDictionary<string, string> ScopeKeys =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["accountId"] = "AccountId",
            ["appId"] = "AppId",
            ["reviewId"] = "ReviewId",
        };

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        using (logger.BeginScope(ScopeFor(context)))
        {
            await next(context);
        }
    }

    internal static Dictionary<string, object?> ScopeFor(FunctionContext context)
    {
        var scope = new Dictionary<string, object?>
        {
            ["FunctionName"] = context.FunctionDefinition.Name,
            ["InvocationId"] = context.InvocationId,
        };
        foreach (var (name, value) in context.BindingContext.BindingData)
        {
            if (ScopeKeys.TryGetValue(name, out var key) && value is string { Length: > 0 } id)
            {
                scope[key] = id;
            }
        }
        return scope;
    }
}
