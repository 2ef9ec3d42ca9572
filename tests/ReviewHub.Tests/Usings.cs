global using Xunit;
global using ReviewHub.Tests.Infrastructure;
