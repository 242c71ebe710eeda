package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.RecoveredState;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Deliberately broken variants of the protocol's easy-to-get-wrong rules, each injected through
 * {@link Parts} from test code only. The simulator must catch every one of them.
 *
 * <p>Most break safety and the safety checks catch them. {@link #availability()} lists those that
 * keep every safety invariant and only let a server that cannot win depose a healthy leader (issue
 * 10, docs/prevote.md): they need an availability check to be caught.
 */
public enum BrokenRules {

    /** finalize(e, slot) by slot alone, ignoring the accepted epoch. */
    FINALIZE_BY_SLOT_ALONE {
        @Override
        Parts parts() {
            return withAcceptor((out, recovered) -> new Acceptor(out, recovered) {
                @Override
                boolean canFinalize(Entry current, Epoch e) {
                    return current != null;
                }
            });
        }
    },

    /** A new leader reads from any server, not only those that acknowledged its overthrow. */
    READ_FROM_ANY_SERVER {
        @Override
        Parts parts() {
            return withTakeover((leader, lastUsedSlot) -> new Takeover(leader, lastUsedSlot) {
                @Override
                Iterable<Integer> readTargets() {
                    return leader.replica().memberships().involvedVoters();
                }

                @Override
                boolean readEligible(int server) {
                    return true;
                }
            });
        }
    },

    /** A slot nobody remembers is left empty instead of getting a no-op: the log has a hole. */
    NO_NOOP_IN_FORGOTTEN_SLOTS {
        @Override
        Parts parts() {
            return withTakeover((leader, lastUsedSlot) -> new Takeover(leader, lastUsedSlot) {
                @Override
                void recover(long slot, Command command) {
                    if (!command.isNoop()) {
                        super.recover(slot, command);
                    }
                }
            });
        }
    },

    /** The takeover ignores earlier leaders' stored commands unless finalized, filling no-ops. */
    IGNORE_REMEMBERED_COMMANDS {
        @Override
        Parts parts() {
            return withTakeover((leader, lastUsedSlot) -> new Takeover(leader, lastUsedSlot) {
                @Override
                Command choose(long slot) {
                    Command chosen = super.choose(slot);
                    Entry own = leader.replica().entry(slot);
                    return own != null && own.finalized() ? chosen : Command.NOOP;
                }
            });
        }
    },

    /** A server reports its compacted slots as empty to a new leader, which then fills them with no-ops. */
    COMPACTED_SLOTS_READ_AS_EMPTY {
        @Override
        Parts parts() {
            return withAcceptor((out, recovered) -> new Acceptor(out, recovered) {
                @Override
                long reportedSnapshotSlot() {
                    return 0;
                }
            });
        }
    },

    /** overthrow(e) is accepted even below the promise, so promised can decrease. */
    PROMISED_DECREASES {
        @Override
        Parts parts() {
            return withAcceptor((out, recovered) -> new Acceptor(out, recovered) {
                @Override
                boolean acceptsOverthrow(Epoch e) {
                    return true;
                }

                @Override
                void raisePromise(Epoch e) {
                    if (!e.equals(promised)) {
                        promised = e;
                        out.writePromised(e);
                    }
                }
            });
        }
    },

    /** A read-index read is answered without a query round proving the leader still leads. */
    READ_WITHOUT_CONFIRMING_LEADERSHIP {
        @Override
        Parts parts() {
            return new Parts() {
                @Override
                ReadIndex newReadIndex(Leader leader) {
                    return new ReadIndex(leader) {
                        @Override
                        boolean confirmed(long round) {
                            return true;
                        }
                    };
                }
            };
        }
    },

    /** A new leader serves reads before it finalized a command of its own epoch (and so every earlier one). */
    READ_BEFORE_OWN_COMMAND_CHOSEN {
        @Override
        Parts parts() {
            return new Parts() {
                @Override
                Leader newLeader(Replica replica, Epoch epoch, Set<Integer> acked, long lastUsedSlot) {
                    return new Leader(replica, epoch, acked, lastUsedSlot) {
                        @Override
                        boolean servesReads() {
                            return true;
                        }
                    };
                }
            };
        }
    },

    /**
     * Rule D broken: a reply that promises durable state (overthrowOk, storeOk, readReply) leaves as
     * soon as its step ends, before the writes it depends on are durable.
     */
    REPLY_BEFORE_DURABLE {
        @Override
        Parts parts() {
            return new Parts() {
                @Override
                Outbox newOutbox(int selfId) {
                    return new Outbox(selfId) {
                        @Override
                        boolean mayRelease(long barrier) {
                            return true;
                        }
                    };
                }
            };
        }
    },

    /** A leader ignores replies that carry a higher epoch instead of becoming passive. */
    LEADER_IGNORES_HIGHER_EPOCH {
        @Override
        Parts parts() {
            return new Parts() {
                @Override
                Leader newLeader(Replica replica, Epoch epoch, Set<Integer> acked, long lastUsedSlot) {
                    return new Leader(replica, epoch, acked, lastUsedSlot) {
                        @Override
                        boolean yieldsTo(Epoch higher) {
                            return false;
                        }
                    };
                }
            };
        }
    },

    /**
     * Membership: a change governs the very next slot once applied (no alpha window), and a leader
     * counts every slot's acknowledgements in the latest membership, even slots proposed before the
     * change was applied: a majority of the new membership need not meet a majority of the old one
     * (a removed voter's absence makes 2 of {1,2,3} a majority where 3 of {1,2,3,4} governed).
     */
    MEMBERSHIP_TAKES_EFFECT_AT_ONCE {
        @Override
        Parts parts() {
            return new Parts() {
                @Override
                Leader newLeader(Replica replica, Epoch epoch, Set<Integer> acked, long lastUsedSlot) {
                    return new Leader(replica, epoch, acked, lastUsedSlot) {
                        @Override
                        Membership choosingMembership(long slot) {
                            return replica.memberships().latest();
                        }
                    };
                }
            };
        }
    },

    /**
     * Membership: a new leader reads and re-proposes every slot of its takeover from a majority of the
     * membership governing its first one only, even slots a later membership governs.
     */
    TAKEOVER_FROM_OLD_MEMBERSHIP_ONLY {
        @Override
        Parts parts() {
            return withTakeover((leader, lastUsedSlot) -> new Takeover(leader, lastUsedSlot) {
                private final Membership old = leader.replica().memberships()
                        .governing(leader.replica().appliedSlot() + 1);

                @Override
                Iterable<Integer> readTargets() {
                    // Exactly a majority of the old membership, itself first: nobody else is asked.
                    java.util.List<Integer> targets = new java.util.ArrayList<>();
                    targets.add(leader.replica().selfId());
                    for (int voter : old.voters()) {
                        if (!old.isQuorum(new java.util.HashSet<>(targets)) && leader.overthrowAcked().contains(voter)
                                && !targets.contains(voter)) {
                            targets.add(voter);
                        }
                    }
                    return targets;
                }

                @Override
                boolean readQuorum(long from, long to, Set<Integer> servers) {
                    return old.isQuorum(servers);
                }

                @Override
                void verifyQuorum(long from, long to, Set<Integer> servers, String what) {
                    // the broken leader checks what it does against its own (wrong) rule
                }
            });
        }
    },

    /**
     * Availability: a server whose election timeout passes raises its epoch and sends overthrow at
     * once, without asking first. A deaf follower deposes the leader again and again.
     */
    NO_PRE_VOTE {
        @Override
        Parts parts() {
            return withPreVote(replica -> new PreVote(replica) {
                @Override
                boolean required() {
                    return false;
                }
            });
        }
    },

    /**
     * Availability: any request with a higher epoch is taken for a live leader, a pre-vote included:
     * it deposes a leader, resets the election timer, and is granted whoever was heard recently.
     */
    YIELD_TO_ANY_HIGHER_EPOCH {
        @Override
        Parts parts() {
            return withPreVote(replica -> new PreVote(replica) {
                @Override
                boolean yieldsTo(io.paxlog.api.message.PreOverthrow request) {
                    return request.epoch().isAbove(replica.promised());
                }

                @Override
                boolean grants(io.paxlog.api.message.PreOverthrow request) {
                    return !request.epoch().isBelow(replica.promised());
                }
            });
        }
    };

    abstract Parts parts();

    /** A factory that builds every server with this rule broken. */
    public ReplicaFactory factory() {
        Parts parts = parts();
        return (config, recovered, random, now) -> new Replica(config, recovered, random, now, parts);
    }

    public static List<BrokenRules> all() {
        return List.of(values());
    }

    /** The rules whose breaking keeps safety and costs only availability. */
    public static List<BrokenRules> availability() {
        return List.of(NO_PRE_VOTE, YIELD_TO_ANY_HIGHER_EPOCH);
    }

    /** Whether breaking this rule costs only availability (see {@link #availability()}). */
    public boolean availabilityOnly() {
        return availability().contains(this);
    }

    private static Parts withAcceptor(BiFunction<Outbox, RecoveredState, Acceptor> broken) {
        return new Parts() {
            @Override
            Acceptor newAcceptor(Outbox out, RecoveredState recovered) {
                return broken.apply(out, recovered);
            }
        };
    }

    private static Parts withPreVote(java.util.function.Function<Replica, PreVote> broken) {
        return new Parts() {
            @Override
            PreVote newPreVote(Replica replica) {
                return broken.apply(replica);
            }
        };
    }

    private static Parts withTakeover(BiFunction<Leader, Long, Takeover> broken) {
        return new Parts() {
            @Override
            Takeover newTakeover(Leader leader, long lastUsedSlot) {
                return broken.apply(leader, lastUsedSlot);
            }
        };
    }
}
