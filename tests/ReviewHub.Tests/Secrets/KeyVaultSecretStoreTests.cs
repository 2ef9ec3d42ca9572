using Azure;
using Azure.Security.KeyVault.Secrets;
using Moq;
using ReviewHub.Secrets;

namespace ReviewHub.Tests.Secrets;

/// <summary>The Key Vault store against a mocked SecretClient (Key Vault itself cannot run here).</summary>
public sealed class KeyVaultSecretStoreTests
{
    private readonly Mock<SecretClient> client = new();

    private KeyVaultSecretStore Store => new(client.Object);

    private static Response<KeyVaultSecret> SecretResponse(string name, string value) =>
        Response.FromValue(SecretModelFactory.KeyVaultSecret(new SecretProperties(name), value), Mock.Of<Response>());

    [Fact]
    public async Task Reads_a_secret_and_answers_null_for_a_missing_one()
    {
        client.Setup(c =>
            c.GetSecretAsync("present", null, It.IsAny<CancellationToken>())).ReturnsAsync(SecretResponse("present",
            "s3cret"));
        client.Setup(c => c.GetSecretAsync("absent", null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(404, "SecretNotFound"));

        Assert.Equal("s3cret", await Store.GetAsync("present", CancellationToken.None));
        Assert.Null(await Store.GetAsync("absent", CancellationToken.None));
    }

    [Fact]
    public async Task Setting_a_name_held_by_a_soft_deleted_secret_recovers_it_then_sets_the_new_value()
    {
        var calls = 0;
        client.Setup(c => c.SetSecretAsync("route-1", "new-token", It.IsAny<CancellationToken>()))
            .Returns(() => ++calls == 1
                ? throw new RequestFailedException(409,
                "Secret route-1 is currently in a deleted but recoverable state.")
                : Task.FromResult(SecretResponse("route-1", "new-token")));
        var recovery = new Mock<RecoverDeletedSecretOperation>();
        recovery.Setup(r => r.WaitForCompletionAsync(It.IsAny<CancellationToken>()))
            .Returns(new ValueTask<Response<SecretProperties>>(Response.FromValue(new SecretProperties("route-1"),
            Mock.Of<Response>())));
        client.Setup(c =>
            c.StartRecoverDeletedSecretAsync("route-1", It.IsAny<CancellationToken>())).ReturnsAsync(recovery.Object);

        Assert.Equal("route-1", await Store.SetAsync("route-1", "new-token", CancellationToken.None));

        Assert.Equal(2, calls);
        recovery.Verify(r => r.WaitForCompletionAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Deleting_a_secret_that_is_already_gone_is_not_an_error()
    {
        client.Setup(c =>
            c.StartDeleteSecretAsync("gone", It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(404,
            "SecretNotFound"));

        await Store.DeleteAsync("gone", CancellationToken.None);

        client.Verify(c => c.StartDeleteSecretAsync("gone", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Other_key_vault_failures_surface()
    {
        client.Setup(c =>
            c.GetSecretAsync("denied", null, It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(403,
            "Forbidden"));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            Store.GetAsync("denied", CancellationToken.None));
        Assert.Equal(403, ex.Status);
    }
}
