package io.paxlog.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one request to its handler and writes the response. Runs on the HTTP event loop; the
 * response may be written later from a client thread. Reading pauses from a request until its response
 * is written, so a connection has one request in progress at a time.
 *
 * <p>Anything wrong with a request is answered 4xx (a malformed request also closes its connection, as
 * the decoder cannot find the next one); nothing a client sends stops the server.
 */
@ChannelHandler.Sharable
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final HttpApi.Settings settings;
    private final Forwarder forwarder;
    private final RouteTable routes;
    private final ServiceEndpoints raw;
    private final StatusRoute status;
    private final ServerMetrics metrics;

    ApiHandler(HttpApi.Settings settings, Forwarder forwarder, RouteTable routes, StatusRoute status,
            ServerMetrics metrics) {
        this.settings = settings;
        this.forwarder = forwarder;
        this.routes = routes;
        this.raw = new ServiceEndpoints(settings.service(), forwarder);
        this.status = status;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            write(ctx, HttpReply.error(400, "malformed_request", "the request is not valid HTTP: "
                    + (cause == null ? "?" : cause.getMessage())), false);
            return;
        }
        if (Boolean.TRUE.equals(ctx.channel().attr(ConnectionLimiter.OVER_LIMIT).get())) {
            write(ctx, HttpReply.error(429, "too_many_connections", "this client address has more than "
                    + settings.connectionsPerAddressMax() + " connections open to this server (httpConnectionsPerAddressMax)")
                    .header("Retry-After", HttpReply.RETRY_AFTER_SECONDS), false);
            return;
        }
        ApiRequest api;
        CompletableFuture<HttpReply> reply;
        try {
            String uri = request.uri();
            api = new ApiRequest(request.method().name(), Urls.path(uri), Urls.query(uri), request.headers(),
                    ByteBufUtil.getBytes(request.content()));
            reply = route(api);
        } catch (IllegalArgumentException e) {
            reply = CompletableFuture.completedFuture(HttpReply.error(400, "bad_request", e.getMessage()));
        } catch (RuntimeException e) { // a bug in a route, perhaps a user's: answer it, keep the connection
            LOG.warn("HTTP {} {} failed in its route: {}", request.method(), request.uri(), e.toString(), e);
            reply = CompletableFuture.completedFuture(HttpReply.failure(e));
        }
        ctx.channel().config().setAutoRead(false);
        reply.whenComplete((response, failure) -> {
            HttpReply out = failure == null ? response : HttpReply.failure(failure);
            write(ctx, out, keepAlive);
            ctx.channel().config().setAutoRead(true);
        });
    }

    private CompletableFuture<HttpReply> route(ApiRequest request) {
        String path = request.path();
        if (path.equals("/v1/status")) {
            return get(request, status::reply);
        }
        if (path.equals("/metrics")) {
            return get(request, () -> HttpReply.bytes(200, metrics.scrape().getBytes(StandardCharsets.UTF_8),
                    "text/plain; version=0.0.4; charset=utf-8"));
        }
        if (RouteTable.under(path, ServiceEndpoints.PREFIX)) {
            return raw.handle(request);
        }
        ServiceRoutes owner = routes.owner(path);
        if (owner != null) {
            if (!owner.service().equals(settings.service())) {
                return wrongService(request, owner.service());
            }
            return owner.handle(request, forwarder);
        }
        List<String> own = routes.prefixesOf(settings.service());
        return done(HttpReply.error(404, "not_found", "no such endpoint: " + request.method() + " " + path
                + " (see GET /v1/status, /metrics, POST " + ServiceEndpoints.COMMAND + ", POST " + ServiceEndpoints.QUERY
                + (own.isEmpty() ? "" : ", " + String.join(", ", own.stream().map(p -> p + "/...").toList())) + ")"));
    }

    private static CompletableFuture<HttpReply> get(ApiRequest request, java.util.function.Supplier<HttpReply> reply) {
        if (!request.method().equals("GET")) {
            return done(HttpReply.error(405, "method_not_allowed", "only GET is allowed here").header("Allow", "GET"));
        }
        return done(reply.get());
    }

    private CompletableFuture<HttpReply> wrongService(ApiRequest request, String wanted) {
        return done(HttpReply.error(404, "wrong_service", "this cluster runs the " + settings.service()
                + " service; " + request.path() + " needs service: " + wanted));
    }

    private static CompletableFuture<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Writes {@code reply}; closes the connection after it unless {@code keepAlive}. Any thread. */
    static void write(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive) {
        FullHttpResponse response = response(reply);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Writes {@code reply} to a client that may still be sending (an over-long body), then closes only
     * our side and reads on for up to {@code lingerMs} before closing. Closing a socket with unread input
     * makes TCP reset the connection, which can destroy the answer before the client reads it: the client
     * would see the connection drop instead of the 413.
     */
    static void writeAndLinger(ChannelHandlerContext ctx, HttpReply reply, long lingerMs) {
        FullHttpResponse response = response(reply);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(written -> {
            if (ctx.channel() instanceof io.netty.channel.socket.SocketChannel socket) {
                socket.shutdownOutput();
            }
            ctx.executor().schedule(() -> ctx.close(), lingerMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    private static FullHttpResponse response(HttpReply reply) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        for (Map.Entry<String, String> header : reply.headers().entrySet()) {
            response.headers().set(header.getKey(), header.getValue());
        }
        HttpUtil.setContentLength(response, reply.body().length);
        return response;
    }
}
