package dev.baton.trace;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls into processors and exporters so that what they throw never reaches a run. A failing
 * processor is logged at WARN once per class (a broken exporter would otherwise log on every span),
 * then at DEBUG.
 */
final class Processors {
    private static final Logger log = LoggerFactory.getLogger(Processors.class);
    private static final Set<Class<?>> warned = ConcurrentHashMap.newKeySet();

    private Processors() {}

    static void failed(Object target, String what, Throwable t) {
        if (t instanceof VirtualMachineError vme) {
            throw vme;
        }
        if (warned.add(target.getClass())) {
            log.warn("{} failed in {}; ignored (further failures of this class are logged at DEBUG)",
                    target.getClass().getName(), what, t);
        } else {
            log.debug("{} failed in {}; ignored", target.getClass().getName(), what, t);
        }
    }

    static void traceStart(TraceProcessor[] processors, Trace trace) {
        for (TraceProcessor p : processors) {
            try {
                p.onTraceStart(trace);
            } catch (Throwable t) {
                failed(p, "onTraceStart", t);
            }
        }
    }

    static void traceEnd(TraceProcessor[] processors, Trace trace) {
        for (TraceProcessor p : processors) {
            try {
                p.onTraceEnd(trace);
            } catch (Throwable t) {
                failed(p, "onTraceEnd", t);
            }
        }
    }

    static void spanStart(TraceProcessor[] processors, Span span) {
        for (TraceProcessor p : processors) {
            try {
                p.onSpanStart(span);
            } catch (Throwable t) {
                failed(p, "onSpanStart", t);
            }
        }
    }

    static void spanEnd(TraceProcessor[] processors, Span span) {
        for (TraceProcessor p : processors) {
            try {
                p.onSpanEnd(span);
            } catch (Throwable t) {
                failed(p, "onSpanEnd", t);
            }
        }
    }

    static void forceFlush(Iterable<TraceProcessor> processors) {
        for (TraceProcessor p : processors) {
            try {
                p.forceFlush();
            } catch (Throwable t) {
                failed(p, "forceFlush", t);
            }
        }
    }

    static void shutdown(Iterable<TraceProcessor> processors) {
        for (TraceProcessor p : processors) {
            try {
                p.shutdown();
            } catch (Throwable t) {
                failed(p, "shutdown", t);
            }
        }
    }
}
