package io.paxlog.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
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
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one request to its handler and writes the response. Runs on the HTTP event loop; the
 * response may be written later from a client thread. A connection's requests run one at a time, in the
 * order they came: pipelined requests the decoder hands over together are queued, each started once the
 * answer before it is written, and reading pauses until the queue is empty. A request whose answer closes
 * the connection ({@code Connection: close}, HTTP/1.0 without keep-alive, a refusal) is answered after
 * every request before it, and nothing after it is.
 *
 * <p>Anything wrong with a request is answered 4xx (a malformed request also closes its connection, as
 * the decoder cannot find the next one); nothing a client sends stops the server.
 */
@ChannelHandler.Sharable
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final AttributeKey<InOrder> IN_ORDER = AttributeKey.valueOf("paxlog.http.inOrder");

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
        InOrder order = ctx.channel().attr(IN_ORDER).get();
        if (order == null) {
            order = new InOrder();
            ctx.channel().attr(IN_ORDER).set(order);
        }
        if (order.closing) {
            return; // an earlier request's answer closes the connection: what came after it is not answered
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Supplier<CompletableFuture<HttpReply>> answer = answer(ctx, request);
        boolean close = !keepAlive || answer == null;
        if (answer == null) { // refused before routing: answer it and close, the rest of the stream is not trusted
            HttpReply refusal = refusal(ctx, request);
            answer = () -> done(refusal);
        }
        order.closing = close;
        order.waiting++;
        // The decoder may hand over several requests already read: queue them, and read no more until
        // every one is answered.
        ctx.channel().config().setAutoRead(false);
        Supplier<CompletableFuture<HttpReply>> next = answer;
        InOrder queue = order;
        queue.tail = queue.tail.thenCompose(previous -> started(next))
                .thenCompose(reply -> written(ctx, reply, !close))
                .handle((ignored, failure) -> {
                    if (failure != null) {
                        LOG.debug("HTTP answer to {} not written: {}", ctx.channel().remoteAddress(), failure.toString());
                    }
                    ctx.executor().execute(() -> {
                        queue.waiting--;
                        if (queue.waiting == 0 && !queue.closing) {
                            ctx.channel().config().setAutoRead(true);
                        }
                    });
                    return null;
                });
    }

    /** Runs {@code answer}, turning an exception thrown on the way into the future's failure. */
    private static CompletableFuture<HttpReply> started(Supplier<CompletableFuture<HttpReply>> answer) {
        try {
            return answer.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * What answers {@code request} once the requests before it on its connection are answered, or null if
     * it is refused at once ({@link #refusal}). The body is copied now: Netty frees the request after this
     * call.
     */
    private Supplier<CompletableFuture<HttpReply>> answer(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (refusal(ctx, request) != null) {
            return null;
        }
        String method = request.method().name();
        String uri = request.uri();
        ApiRequest api;
        try {
            api = new ApiRequest(method, Urls.path(uri), Urls.query(uri), request.headers(),
                    ByteBufUtil.getBytes(request.content()));
        } catch (IllegalArgumentException e) {
            HttpReply bad = HttpReply.error(400, "bad_request", e.getMessage());
            return () -> done(bad);
        }
        return () -> {
            CompletableFuture<HttpReply> reply;
            try {
                reply = route(api);
            } catch (IllegalArgumentException e) {
                return done(HttpReply.error(400, "bad_request", e.getMessage()));
            } catch (RuntimeException e) { // a bug in a route, perhaps a user's: answer it, keep the connection
                LOG.warn("HTTP {} {} failed in its route: {}", method, uri, e.toString(), e);
                return done(failure(method, e));
            }
            return reply.handle((response, failure) -> failure == null ? response : failure(method, failure));
        };
    }

    /** The answer to a request refused before routing (its connection is then closed), or null. */
    private HttpReply refusal(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            return HttpReply.error(400, "malformed_request", "the request is not valid HTTP: "
                    + (cause == null ? "?" : cause.getMessage()));
        }
        if (request.protocolVersion().majorVersion() != 1) {
            return HttpReply.error(505, "http_version_not_supported", "this server speaks HTTP/1.1 (and 1.0), not "
                    + request.protocolVersion().text());
        }
        if (Boolean.TRUE.equals(ctx.channel().attr(ConnectionLimiter.OVER_LIMIT).get())) {
            return HttpReply.error(429, "too_many_connections", "this client address has more than "
                    + settings.connectionsPerAddressMax() + " connections open to this server (httpConnectionsPerAddressMax)")
                    .header("Retry-After", HttpReply.RETRY_AFTER_SECONDS);
        }
        return null;
    }

    /** Writes {@code reply}; the future completes when it is written (or failed to be). Any thread. */
    private static CompletableFuture<Void> written(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        write(ctx, reply, keepAlive).addListener(future -> done.complete(null));
        return done;
    }

    /** A GET reads (changes nothing); anything else may have written before it failed. */
    private static HttpReply failure(String method, Throwable failure) {
        return method.equals("GET") ? HttpReply.readFailure(failure) : HttpReply.failure(failure);
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

    private static CompletableFuture<HttpReply> get(ApiRequest request, Supplier<HttpReply> reply) {
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
    static ChannelFuture write(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive) {
        FullHttpResponse response = response(reply);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            return ctx.writeAndFlush(response);
        }
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
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

    static FullHttpResponse response(HttpReply reply) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        for (Map.Entry<String, String> header : reply.headers().entrySet()) {
            response.headers().set(header.getKey(), header.getValue());
        }
        HttpUtil.setContentLength(response, reply.body().length);
        return response;
    }

    /** A connection's queue of requests; touched on its event loop only (the tail is chained from there). */
    private static final class InOrder {
        /** Completes when every request read so far is answered. */
        CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        /** Requests read and not yet answered. */
        int waiting;
        /** An answer queued closes the connection: requests after it are not answered. */
        boolean closing;
    }
}
