using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReviewHub.Accounts;
using ReviewHub.Http;

namespace ReviewHub.Tests.Http;

public sealed class JsonRequestTests
{
    private static HttpRequest Chunked(string body)
    {
        // No Content-Length, as with Transfer-Encoding: chunked.
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context.Request;
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_even_without_a_content_length()
    {
        var padding = new string('x', JsonRequest.MaxBodyBytes);
        var result = await JsonRequest.ReadAsync<CreateAccountRequest>(
            Chunked($$"""{"name":"{{padding}}","ownerEmail":"a@b.test"}"""), CancellationToken.None);

        Assert.False(result.TryGet(out _, out var problem));
        Assert.Equal(413, ((ObjectResult)problem).StatusCode);
    }

    [Fact]
    public async Task A_body_within_the_limit_is_read_and_validated()
    {
        var result = await JsonRequest.ReadAsync<CreateAccountRequest>(
            Chunked("""{"name":"Acme","ownerEmail":"a@b.test"}"""), CancellationToken.None);

        Assert.True(result.TryGet(out var request, out _));
        Assert.Equal("Acme", request.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"name\":")]
    public async Task An_empty_null_or_truncated_body_is_a_400(string body)
    {
        var result = await JsonRequest.ReadAsync<CreateAccountRequest>(Chunked(body), CancellationToken.None);

        Assert.False(result.TryGet(out _, out var problem));
        Assert.Equal(400, ((ObjectResult)problem).StatusCode);
    }
}
