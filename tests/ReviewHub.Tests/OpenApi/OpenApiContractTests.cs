using System.Reflection;
using Microsoft.OpenApi;
using ReviewHub.Security;
using ReviewHub.Tests.Security;

namespace ReviewHub.Tests.OpenApi;

/// <summary>Keeps docs/openapi.yaml true: every function documented, every documented operation real, real responses
/// valid.</summary>
public sealed class OpenApiContractTests
{
    public static TheoryData<string> Everything => EndpointCatalog.Names(_ => true);
    public static TheoryData<string> Protected => EndpointCatalog.Names(e => !e.Public);
    // Operators are not account members, so operator endpoints answer 403 to a stranger rather than 404.
    public static TheoryData<string> AccountScoped => EndpointCatalog.Names(e => !e.Public && !e.OperatorOnly
        && e.Path(Sample).Contains("/accounts/"));
    public static TheoryData<string> WithBody => EndpointCatalog.Names(e => e.Body is not null);

    private static readonly TestWorld Sample = new("u", "t", new string('a', 32), new string('b', 32));

    [Fact]
    public async Task The_document_parses_and_validates_without_errors()
    {
        var loaded = await ApiDescription.GetAsync();

        Assert.Empty(loaded.Diagnostic.Errors);
        // A comma in an unquoted flow-style value silently becomes an unknown keyword.
        Assert.DoesNotContain("unrecognizedKeywords", loaded.Json.ToJsonString());
        Assert.Empty(loaded.Document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, loaded.Diagnostic.SpecificationVersion);
    }

    [Fact]
    public async Task Every_http_function_has_exactly_one_operation_and_every_operation_a_function()
    {
        var functions = FunctionMetadata.Http
            .SelectMany(f => f.Trigger.Methods!.Select(m => $"{f.Name} {m.ToUpperInvariant()} /{f.Trigger.Route}"))
            .Order(StringComparer.Ordinal);
        var operations = (await ApiDescription.OperationsAsync())
            .Select(o => $"{o.OperationId} {o.Method} {o.Path}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(functions, operations);
    }

    [Fact]
    public async Task Documented_security_matches_who_may_call_each_function()
    {
        foreach (var operation in await ApiDescription.OperationsAsync())
        {
            var function = FunctionMetadata.Http.Single(f => f.Name == operation.OperationId);
            var method = EndpointAccess.ResolveEntryPoint(function.EntryPoint)!;
            var documentedPublic = operation.Node["security"]?.AsArray().Count == 0;
            var documentedOperator = operation.Node["x-operator-only"]?.GetValue<bool>() == true;

            Assert.True(method.IsDefined(typeof(PublicEndpointAttribute)) == documentedPublic,
                $"{operation.OperationId}: security: [] iff [PublicEndpoint]");
            Assert.True(method.IsDefined(typeof(OperatorOnlyAttribute)) == documentedOperator,
                $"{operation.OperationId}: x-operator-only iff [OperatorOnly]");
        }
    }

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task A_members_response_matches_the_documented_schema(string function)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);

        var response = await endpoint.SendAsMemberAsync(app, world);

        Assert.Equal(endpoint.MemberStatus, response.Status);
        Assert.Empty(await ApiDescription.ValidateAsync(response));
    }

    [Theory]
    [MemberData(nameof(Protected))]
    public async Task The_401_without_a_token_is_documented(string function)
    {
        await using var app = await TestApp.StartAsync();
        var endpoint = EndpointCatalog.Get(function);

        var response = await app.Host.SendAsync(endpoint.Method, endpoint.Path(Sample), token: null,
            endpoint.Body?.Invoke(Sample));

        Assert.Equal(401, response.Status);
        Assert.Empty(await ApiDescription.ValidateAsync(response));
    }

    [Theory]
    [MemberData(nameof(AccountScoped))]
    public async Task The_404_for_another_accounts_resource_is_documented(string function)
    {
        await using var app = await TestApp.StartAsync();
        var stranger = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);

        var response = await app.Host.SendAsync(endpoint.Method, endpoint.Path(Sample), stranger.Token,
            endpoint.Body?.Invoke(Sample));

        Assert.Equal(404, response.Status);
        Assert.Empty(await ApiDescription.ValidateAsync(response));
    }

    [Theory]
    [MemberData(nameof(WithBody))]
    public async Task The_400_for_a_malformed_body_is_documented(string function)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);

        var response = await endpoint.SendAsMemberAsync(app, world, bodyOverride: "{\"unterminated\": ");

        Assert.Equal(400, response.Status);
        Assert.Empty(await ApiDescription.ValidateAsync(response));
    }

    [Fact]
    public async Task The_app_serves_the_committed_document_anonymously()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Host.GetAsync("/api/openapi.yaml", token: null);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/yaml", response.ContentType);
        Assert.Equal(await File.ReadAllTextAsync(ApiDescription.FilePath), response.Body);
    }

    [Fact]
    public async Task An_undocumented_status_or_shape_is_reported()
    {
        // The validator itself must be able to fail, or the tests above prove nothing.
        var wrongStatus = new TestResponse(418, new Microsoft.AspNetCore.Http.HeaderDictionary(), "", "GetApp");
        var wrongShape = new TestResponse(200, new Microsoft.AspNetCore.Http.HeaderDictionary { ["Content-Type"] =
            "application/json" },
            """{"appId":"not-an-id","name":3}""", "GetApp");

        Assert.NotEmpty(await ApiDescription.ValidateAsync(wrongStatus));
        Assert.NotEmpty(await ApiDescription.ValidateAsync(wrongShape));
    }
}
