using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Http;

/// <summary>Turns an exception escaping an HTTP function into RFC 7807 problem details (see <see
/// cref="UnhandledExceptions"/>).</summary>
internal sealed class HttpProblemMiddleware(ILogger<HttpProblemMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { Response.HasStarted: false } httpContext)
        {
            logger.LogError(ex, "HTTP function {FunctionName} failed", context.FunctionDefinition.Name);
            await HttpResults.WriteAsync(httpContext, UnhandledExceptions.ToProblem(ex));
        }
    }
}
