using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Server;

namespace Xpkg.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var addr = new Option<string>("--addr") { Description = "HOST:PORT to listen on", DefaultValueFactory = _ => "127.0.0.1:5000" };
        var tls = new Option<string?>("--tls") { Description = "auto: serve HTTPS with a local CA and server certificate kept under the cache directory" };
        tls.AcceptOnlyFromAmong("auto");
        var tlsCert = new Option<string?>("--tls-cert") { Description = "serve HTTPS with this PEM certificate (with --tls-key)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "the PEM private key of --tls-cert" };
        var tlsSan = new Option<string[]>("--tls-san") { Description = "an extra DNS name or IP for the --tls auto certificate (repeatable)", AllowMultipleArgumentsPerToken = false };
        var htpasswd = new Option<string?>("--htpasswd") { Description = "require Basic auth from users of this bcrypt htpasswd file for pushes (and pulls with --auth-pull)" };
        var authPull = new Option<bool>("--auth-pull") { Description = "with --htpasswd: refuse anonymous pulls too" };
        var readOnly = new Option<bool>("--read-only") { Description = "refuse pushes and deletes" };
        var logFormat = new Option<string>("--log-format") { Description = "access log on stderr: text, json or none", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json", "none");

        var command = new Command("serve", "serve the cache as an OCI registry (HTTP on 127.0.0.1:5000 by default)")
        {
            addr, tls, tlsCert, tlsKey, tlsSan, htpasswd, authPull, readOnly, logFormat,
        };
        foreach (var option in ServeUpstream.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string? caFile = null;
            X509Certificate2? certificate = null;
            if (ctx.Get(tls) == "auto")
            {
                if (ctx.Get(tlsCert) is not null)
                {
                    throw new InvalidInputException("--tls auto and --tls-cert exclude each other");
                }

                string dir = Path.Combine(ctx.Store.Root, "tls");
                certificate = TlsCertificates.LoadOrCreateAuto(dir, TlsCertificates.DefaultNames(ctx.Get(tlsSan) ?? []));
                caFile = Path.Combine(dir, TlsCertificates.CaCertificateFile);
            }
            else if (ctx.Get(tlsCert) is { } certFile)
            {
                string keyFile = ctx.Get(tlsKey) ?? throw new InvalidInputException("--tls-cert needs --tls-key");
                certificate = TlsCertificates.LoadPem(certFile, keyFile);
            }
            else if (ctx.Get(tlsKey) is not null)
            {
                throw new InvalidInputException("--tls-key needs --tls-cert");
            }

            if (ctx.Get(tls) != "auto" && ctx.Get(tlsSan) is { Length: > 0 })
            {
                throw new InvalidInputException("--tls-san needs --tls auto", "with your own certificate, put the names in it");
            }

            if (ctx.Get(authPull) && ctx.Get(htpasswd) is null)
            {
                throw new InvalidInputException("--auth-pull needs --htpasswd");
            }

            var notes = new List<string>();
            var (upstream, local) = await ServeUpstream.CreateAsync(ctx, notes.Add, ct);
            await using var upstreamLifetime = upstream;
            await using var localLifetime = local;
            var options = new RegistryServerOptions
            {
                Upstream = upstream,
                Local = local,
                UpstreamPolicy = ServeUpstream.Policy(ctx),
                Address = ctx.Get(addr)!,
                Certificate = certificate,
                HtpasswdFile = ctx.Get(htpasswd),
                AuthenticatePulls = ctx.Get(authPull),
                ReadOnly = ctx.Get(readOnly),
                AccessLog = ctx.Get(logFormat) switch { "json" => AccessLogFormat.Json, "none" => AccessLogFormat.None, _ => AccessLogFormat.Text },
            };

            var server = await StartAsync(ctx, options, ct);
            await using (server)
            {
                if (ctx.Json)
                {
                    CliContext.WriteJson(new JsonObject
                    {
                        ["address"] = server.BaseAddress.ToString(),
                        ["registryHost"] = server.RegistryHost,
                        ["cache"] = ctx.Store.Root,
                        ["ca"] = caFile,
                        ["upstream"] = (upstream, local) switch { (null, _) => null, ({ FillsCache: true }, null) => "mirror", ({ FillsCache: true }, _) => "containerd+mirror", _ => "containerd" },
                    });
                }
                else
                {
                    ctx.Say($"Serving {ctx.Store.Root} at {server.BaseAddress} (pushes are stored as {server.RegistryHost}/NAME:TAG)");
                    if (caFile is not null)
                    {
                        ctx.Say($"CA certificate for clients: {caFile}");
                    }

                    notes.ForEach(CliContext.Note);
                }

                await server.WaitAsync(ct);
                CliContext.Note("shutting down: finishing requests in flight");
                await server.StopAsync();
            }

            return 0;
        }, ct));
        return command;
    }

    private static async Task<RegistryServer> StartAsync(CliContext ctx, RegistryServerOptions options, CancellationToken ct)
    {
        try
        {
            return await RegistryServer.StartAsync(ctx.Store, options, ct);
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new XpkgException($"cannot listen on {options.Address}: {e.Message}", "another process uses that port; choose another with --addr");
        }
    }
}
