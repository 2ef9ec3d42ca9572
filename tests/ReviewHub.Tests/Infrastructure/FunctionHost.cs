using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using ReviewHub.Http;
using ReviewHub.Json;
using ReviewHub.Security;

namespace ReviewHub.Tests.Infrastructure;

internal sealed record TestResponse(int Status, IHeaderDictionary Headers, string Body, string FunctionName)
{
    /// <summary>The exception the function threw, mapped to a problem response as the worker's middleware
    /// does.</summary>
    public Exception? Exception { get; init; }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public T As<T>() => JsonSerializer.Deserialize<T>(Body, ReviewHubJson.Options)
        ?? throw new InvalidOperationException($"{FunctionName} answered {Status} with an empty body.");

    /// <summary>The media type, without parameters such as charset.</summary>
    public string ContentType => Headers.ContentType.ToString().Split(';')[0].Trim();

    public override string ToString() =>
        $"{FunctionName} → {Status} {Body}{(Exception is null ? "" : $"\n{Exception}")}";
}

/// <summary>
/// Plays the Functions host for HTTP triggers, which cannot run here: routes a request with the routes and methods the
/// build wrote to functions.metadata, runs the same <see cref="EndpointAccess"/> check as the worker middleware, binds
/// the function's parameters (request, route values, services, cancellation) and executes its IActionResult into a
/// response.
/// </summary>
internal sealed class FunctionHost(IServiceProvider services)
{
    private const string RoutePrefix = "/api/";

    public Task<TestResponse> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, token);

    public Task<TestResponse> PostAsync(string path, string? token, object? body = null) => SendAsync(HttpMethod.Post,
        path, token, body);

    public Task<TestResponse> PutAsync(string path, string? token, object? body = null) => SendAsync(HttpMethod.Put,
        path, token, body);

    public Task<TestResponse> PatchAsync(string path, string? token, object? body = null) => SendAsync(HttpMethod.Patch,
        path, token, body);

    public Task<TestResponse> DeleteAsync(string path, string? token) => SendAsync(HttpMethod.Delete, path, token);

    /// <summary>
    /// Sends a request; <paramref name="body"/> is serialised as JSON unless it is already a string (sent as is).
    /// <paramref name="path"/> may be percent-encoded: it is decoded as ASP.NET Core decodes a request path (all but
    /// <c>%2F</c>) before routing. <paramref name="chunked"/> sends the body without a Content-Length.
    /// </summary>
    public async Task<TestResponse> SendAsync(
        HttpMethod method, string path, string? token, object? body = null,
        CancellationToken cancellationToken = default, bool chunked = false,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var (function, routeValues) = Route(method, path);
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var split = path.IndexOf('?');
        context.Request.Method = method.Method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("reviewhub.test");
        context.Request.Path = DecodePath(split < 0 ? path : path[..split]);
        context.Request.QueryString = split < 0 ? QueryString.Empty : new QueryString(path[split..]);
        if (token is not null)
        {
            context.Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token).ToString();
        }
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body as string ?? JsonSerializer.Serialize(body, ReviewHubJson.Options));
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = chunked ? null : bytes.Length;
            context.Request.ContentType = "application/json";
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }
        foreach (var (key, value) in routeValues)
        {
            context.Request.RouteValues[key] = value;
        }
        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;

        var method_ = EndpointAccess.ResolveEntryPoint(function.EntryPoint)
            ?? throw new InvalidOperationException($"Entry point {function.EntryPoint} not found.");
        // As the worker's middlewares do, in their order: authentication, then the ids in the path.
        var denied = await scope.ServiceProvider.GetRequiredService<EndpointAccess>().AuthorizeAsync(method_, context)
            ?? RouteIds.Check(routeValues);
        Exception? unhandled = null;
        IActionResult result;
        try
        {
            result = denied ?? await InvokeAsync(method_, function, scope.ServiceProvider, context, routeValues,
                cancellationToken);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            // As HttpProblemMiddleware does in the worker.
            unhandled = ex.InnerException;
            result = UnhandledExceptions.ToProblem(unhandled);
        }
        catch (Exception ex)
        {
            unhandled = ex;
            result = UnhandledExceptions.ToProblem(ex);
        }

        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(routeValues), new ActionDescriptor()));
        return new TestResponse(context.Response.StatusCode, context.Response.Headers,
            Encoding.UTF8.GetString(responseBody.ToArray()), function.Name)
        {
            Exception = unhandled,
        };
    }

    /// <summary>The function that serves <paramref name="method"/> <paramref name="path"/>, as the host's router would
    /// choose it.</summary>
    public static (FunctionDescription Function, RouteValueDictionary Values) Route(HttpMethod method, string path)
    {
        if (!path.StartsWith(RoutePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Paths start with {RoutePrefix}: {path}");
        }
        var relative = DecodePath("/" + path[RoutePrefix.Length..].Split('?')[0]);
        var candidates = FunctionMetadata.Http
            .Where(f => f.Trigger.Methods?.Contains(method.Method, StringComparer.OrdinalIgnoreCase) == true)
            .Select(f => (Function: f, Template: TemplateParser.Parse(f.Trigger.Route!)))
            .Select(c => (c.Function, c.Template, Values: new RouteValueDictionary()))
            .Where(c => new TemplateMatcher(c.Template, new RouteValueDictionary()).TryMatch(relative, c.Values))
            // Literal segments win over parameters, as in ASP.NET Core routing.
            .OrderByDescending(c => c.Template.Segments.Count(s => s.IsSimple && s.Parts[0].IsLiteral))
            .ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"No function serves {method} {path}.");
        }
        return (candidates[0].Function, candidates[0].Values);
    }

    /// <summary>Percent-decodes a path as Kestrel does: every escape except <c>%2F</c>, which stays as it is.</summary>
    private static string DecodePath(string path) =>
        string.Join("%2F", path.Split("%2F", StringSplitOptions.None).Select(part => string.Join("%2f",
            part.Split("%2f", StringSplitOptions.None).Select(Uri.UnescapeDataString))));

    private static async Task<IActionResult> InvokeAsync(
        MethodInfo method, FunctionDescription function, IServiceProvider provider, HttpContext context,
        RouteValueDictionary routeValues, CancellationToken cancellationToken)
    {
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(provider, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p => Bind(p, provider, context, routeValues, cancellationToken))
            .ToArray();
        var returned = method.Invoke(target, arguments);
        return returned switch
        {
            Task<IActionResult> task => await task,
            IActionResult result => result,
            _ => throw new NotSupportedException($"{function.Name} must return IActionResult or Task<IActionResult>."),
        };
    }

    private static object? Bind(ParameterInfo parameter, IServiceProvider provider, HttpContext context,
        RouteValueDictionary routeValues, CancellationToken cancellationToken)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return context.Request;
        }
        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return cancellationToken;
        }
        if (parameter.ParameterType == typeof(FunctionContext))
        {
            var functionContext = new Mock<FunctionContext>();
            functionContext.SetupGet(c => c.InstanceServices).Returns(provider);
            return functionContext.Object;
        }
        if (parameter.ParameterType == typeof(string) && routeValues.TryGetValue(parameter.Name!, out var value))
        {
            return value?.ToString();
        }
        return provider.GetRequiredService(parameter.ParameterType);
    }
}
