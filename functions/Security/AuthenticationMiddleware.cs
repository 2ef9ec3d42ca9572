using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Security;

/// <summary>Runs <see cref="EndpointAccess"/> before every HTTP-triggered function; other triggers pass untouched.</summary>
public sealed class AuthenticationMiddleware(EndpointAccess access) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var httpContext = context.GetHttpContext();
        var function = EndpointAccess.ResolveEntryPoint(context.FunctionDefinition.EntryPoint);
        if (httpContext is null || function is null)
        {
            await next(context);
            return;
        }

        var denied = await access.AuthorizeAsync(function, httpContext);
        if (denied is null)
        {
            await next(context);
            return;
        }

        var executor = httpContext.RequestServices.GetRequiredService<IActionResultExecutor<ObjectResult>>();
        await executor.ExecuteAsync(new ActionContext(httpContext, httpContext.GetRouteData(), new ActionDescriptor()), (ObjectResult)denied);
    }
}
