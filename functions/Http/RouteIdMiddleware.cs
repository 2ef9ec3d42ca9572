using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace ReviewHub.Http;

/// <summary>Runs <see cref="RouteIds"/> on the route values the host bound, after authentication.</summary>
internal sealed class RouteIdMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (
            context.GetHttpContext() is { } httpContext
            && RouteIds.Check(context.BindingContext.BindingData) is { } problem
        )
        {
            await HttpResults.WriteAsync(httpContext, problem);
            return;
        }
        await next(context);
    }
}
