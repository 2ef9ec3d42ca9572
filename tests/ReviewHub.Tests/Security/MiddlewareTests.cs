using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Security;

/// <summary>The worker middlewares themselves (the tests' function host reuses their logic, not their code
/// paths).</summary>
public sealed class MiddlewareTests
{
    private static (FunctionContext Context, DefaultHttpContext Http) HttpInvocation(TestApp app, string entryPoint,
        string? token = null)
    {
        var http = new DefaultHttpContext { RequestServices = app.Services };
        http.Response.Body = new MemoryStream();
        if (token is not null)
        {
            http.Request.Headers.Authorization = $"Bearer {token}";
        }
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.EntryPoint).Returns(entryPoint);
        definition.SetupGet(d => d.Name).Returns(entryPoint.Split('.')[^1]);
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        // Where ASP.NET Core integration puts the request's HttpContext (FunctionContext.GetHttpContext reads it).
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        context.SetupGet(c => c.InstanceServices).Returns(app.Services);
        return (context.Object, http);
    }

    private static string Body(HttpContext http)
    {
        http.Response.Body.Position = 0;
        return new StreamReader(http.Response.Body).ReadToEnd();
    }

    [Fact]
    public async Task An_http_function_whose_entry_point_cannot_be_resolved_is_refused_not_run()
    {
        await using var app = await TestApp.StartAsync();
        var middleware = new AuthenticationMiddleware(app.Get<EndpointAccess>(),
            NullLogger<AuthenticationMiddleware>.Instance);
        var (context, http) = HttpInvocation(app, "ReviewHub.Nowhere.Missing.Function", TestTokens.For("someone"));
        var ran = false;

        await middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(500, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
    }

    [Fact]
    public async Task A_protected_function_without_a_token_is_answered_401_and_not_run()
    {
        await using var app = await TestApp.StartAsync();
        var middleware = new AuthenticationMiddleware(app.Get<EndpointAccess>(),
            NullLogger<AuthenticationMiddleware>.Instance);
        var (context, http) = HttpInvocation(app, "ReviewHub.Apps.AppFunctions.GetApp");
        var ran = false;

        await middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(401, http.Response.StatusCode);
    }

    [Fact]
    public async Task A_valid_token_runs_the_function_with_the_caller_set()
    {
        await using var app = await TestApp.StartAsync();
        var middleware = new AuthenticationMiddleware(app.Get<EndpointAccess>(),
            NullLogger<AuthenticationMiddleware>.Instance);
        var (context, http) = HttpInvocation(app, "ReviewHub.Apps.AppFunctions.GetApp", TestTokens.For("user-42"));
        Caller? seen = null;

        await middleware.Invoke(context, _ => { seen = Caller.From(http.Request); return Task.CompletedTask; });

        Assert.Equal("user-42", seen?.UserId);
    }

    public static TheoryData<Exception, int> Exceptions => new()
    {
        { new ConcurrencyConflictException("Apps/x/y kept changing", new InvalidOperationException()), 409 },
        { new Azure.RequestFailedException(503, "server busy at 10.0.0.4"), 503 },
        { new TimeoutException("tables at 10.0.0.4 timed out"), 503 },
        { new InvalidOperationException("secret connection string at 10.0.0.4"), 500 },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public async Task An_exception_escaping_an_http_function_becomes_problem_details_without_its_text(
        Exception exception, int status)
    {
        await using var app = await TestApp.StartAsync();
        var middleware = new HttpProblemMiddleware(NullLogger<HttpProblemMiddleware>.Instance);
        var (context, http) = HttpInvocation(app, "ReviewHub.Apps.AppFunctions.GetApp");

        await middleware.Invoke(context, _ => throw exception);

        Assert.Equal(status, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
        Assert.DoesNotContain("10.0.0.4", Body(http));
    }
}
