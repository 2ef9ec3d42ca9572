using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace ReviewHub.Http;

internal static class HttpResults
{
    /// <summary>Writes a result from worker middleware, where no function returned one (denied, or the function
    /// threw).</summary>
    public static Task WriteAsync(HttpContext context, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
}
