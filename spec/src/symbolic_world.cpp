// The symbolic world (see symbolic_world.hpp for the model and the encoding).
// Each operation below mirrors the function of world.cpp, sequencer.cpp or
// partition_model.cpp named in its comment, written as guarded updates of a
// symbolic state: `g` is the condition under which the concrete code runs it.
#include "idemcheck/spec/symbolic_world.hpp"

#include "name_table.hpp"

#include <z3++.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "idemcheck/spec/checker.hpp"

namespace idemcheck::spec {

namespace {

using z3::expr;

// Event kinds of the encoding (fail-request split by its error).
enum Kind : unsigned {
  k_send,
  k_drain,
  k_deliver,
  k_fail_ner,
  k_fail_neraa,
  k_deliver_response,
  k_lose_response,
  k_break,
  k_zombie,
  k_timeout,
  k_tick,
  k_count
};

// Errors an answer or a completion carries.
enum Err : unsigned { e_none, e_ner, e_neraa, e_oose, e_ipe, e_net };

int bits_for(int max_value) {
  int b = 1;
  while ((1 << b) <= max_value) ++b;
  return b;
}

struct Dims {
  int B = 1, m = 1, w = 1, Z = 1, N = 1, EW = 1;
  bool idem = true;
};

// The symbolic state. `refs` lists every field in a fixed order.
struct State {
  explicit State(z3::context& c)
      : nsent(c), qlen(c), olen(c), nproc(c), zlen(c), has_entry(c), bepoch(c), clen(c), cur(c), pvalid(c),
        pepoch(c), next(c), lacked1(c), bump(c), dup(c), nonmono(c), retry(c) {}
  expr nsent;
  std::vector<expr> has_stamp, epoch, seq, reopened, sinfl, acked, failed, ack_at, written;  // per batch
  std::vector<expr> q;                                                                      // queue slots
  expr qlen;
  std::vector<expr> ob, oe, os, olost, oerr, odup, oat;  // outstanding slots
  expr olen, nproc;
  std::vector<expr> zb, ze, zs;  // zombie slots
  expr zlen;
  expr has_entry, bepoch;
  std::vector<expr> cseq, cat;  // broker cache slots, oldest first
  expr clen;
  expr cur, pvalid, pepoch, next, lacked1, bump;  // sequencer (lacked1 = last acked + 1)
  expr dup, nonmono, retry;                       // claim flags

  std::vector<expr*> refs() {
    std::vector<expr*> r{&nsent, &qlen, &olen, &nproc, &zlen, &has_entry, &bepoch, &clen, &cur,
                         &pvalid, &pepoch, &next, &lacked1, &bump, &dup, &nonmono, &retry};
    for (auto* v : {&has_stamp, &epoch, &seq, &reopened, &sinfl, &acked, &failed, &ack_at, &written, &q, &ob, &oe, &os,
                    &olost, &oerr, &odup, &oat, &zb, &ze, &zs, &cseq, &cat}) {
      for (expr& e : *v) r.push_back(&e);
    }
    return r;
  }
};

// What a step shows outside the state (for the agreement check) and its domain.
struct Outputs {
  explicit Outputs(z3::context& c)
      : drained(c.bool_val(false)), drained_batch(c), answered(c.bool_val(false)), ans_batch(c), ans_err(c),
        ans_dup(c), ans_at(c), zombies(c), mismatch(c.bool_val(false)), overflow(c.bool_val(false)) {}
  expr drained, drained_batch;
  expr answered, ans_batch, ans_err, ans_dup, ans_at;
  expr zombies;
  expr mismatch;
  expr overflow;
};

class Encoder {
 public:
  Encoder(z3::context& c, Dims d) : c_(c), d_(d) {}

  const Dims& dims() const { return d_; }
  expr bv(unsigned v) const { return c_.bv_val(v, static_cast<unsigned>(d_.N)); }
  expr ev(unsigned v) const { return c_.bv_val(v, static_cast<unsigned>(d_.EW)); }
  expr err(unsigned v) const { return c_.bv_val(v, 3); }
  expr kind(unsigned v) const { return c_.bv_val(v, 4); }
  expr T() const { return c_.bool_val(true); }
  expr F() const { return c_.bool_val(false); }

  State initial() const {
    State s(c_);
    const auto B = static_cast<std::size_t>(d_.B), m = static_cast<std::size_t>(d_.m),
               Z = static_cast<std::size_t>(d_.Z), w = static_cast<std::size_t>(d_.w);
    s.nsent = bv(0);
    s.has_stamp.assign(B, F());
    s.epoch.assign(B, ev(0));
    s.seq.assign(B, bv(0));
    s.reopened.assign(B, F());
    s.sinfl.assign(B, F());
    s.acked.assign(B, F());
    s.failed.assign(B, F());
    s.ack_at.assign(B, bv(0));
    s.written.assign(B, F());
    s.q.assign(B, bv(0));
    s.qlen = bv(0);
    s.ob.assign(m, bv(0));
    s.oe.assign(m, ev(0));
    s.os.assign(m, bv(0));
    s.olost.assign(m, F());
    s.oerr.assign(m, err(0));
    s.odup.assign(m, F());
    s.oat.assign(m, bv(0));
    s.olen = bv(0);
    s.nproc = bv(0);
    s.zb.assign(Z, bv(0));
    s.ze.assign(Z, ev(0));
    s.zs.assign(Z, bv(0));
    s.zlen = bv(0);
    s.has_entry = F();
    s.bepoch = ev(0);
    s.cseq.assign(w, bv(0));
    s.cat.assign(w, bv(0));
    s.clen = bv(0);
    s.cur = ev(0);
    s.pvalid = F();
    s.pepoch = ev(0);
    s.next = bv(0);
    s.lacked1 = bv(0);
    s.bump = F();
    s.dup = F();
    s.nonmono = F();
    s.retry = F();
    return s;
  }

  // The state every history starts from: the initial one, or in the
  // known-producer setting the one after known_producer_prefix() (send,
  // drain, deliver-request, deliver-response), folded to constants.
  State start(bool known_producer) const {
    State s = initial();
    if (!known_producer) return s;
    for (unsigned k : {k_send, k_drain, k_deliver, k_deliver_response}) {
      Outputs o(c_);
      s = step(s, kind(k), bv(0), o);
      for (expr* x : s.refs()) *x = x->simplify();
    }
    return s;
  }

  // One step: the successor of `s` under event (kind, k).
  State step(const State& s0, const expr& kind_v, const expr& k, Outputs& out) const {
    State s = s0;
    out.drained_batch = bv(0);
    out.ans_batch = bv(0);
    out.ans_err = err(0);
    out.ans_dup = F();
    out.ans_at = bv(0);
    out.zombies = bv(0);
    send(s, kind_v == kind(k_send));
    drain(s, kind_v == kind(k_drain), out);
    deliver_request(s, kind_v == kind(k_deliver) || kind_v == kind(k_fail_ner) || kind_v == kind(k_fail_neraa),
                    kind_v == kind(k_fail_ner), kind_v == kind(k_fail_neraa), out);
    deliver_response(s, kind_v == kind(k_deliver_response), out);
    lose_response(s, kind_v == kind(k_lose_response));
    do_break(s, kind_v == kind(k_break) || kind_v == kind(k_timeout), k, out);
    process_zombie(s, kind_v == kind(k_zombie));
    return s;
  }

  // The domain of the relation: events the bounded world can take.
  expr domain(const State& s, const expr& kind_v, const expr& k, const Outputs& out) const {
    return ult(kind_v, kind(k_count)) && ule(k, bv(static_cast<unsigned>(d_.m))) &&
           z3::implies(kind_v == kind(k_send), ult(s.nsent, bv(static_cast<unsigned>(d_.B)))) && !out.overflow;
  }

  expr bad(const State& s, SymbolicClaim claim) const {
    switch (claim) {
      case SymbolicClaim::duplicate: return s.dup;
      case SymbolicClaim::nonmonotonic_send: return s.nonmono;
      case SymbolicClaim::retry_is_duplicate: return s.retry;
      case SymbolicClaim::lost_write: {
        expr r = F();
        for (int i = 0; i < d_.B; ++i) r = r || (s.acked[ix(i)] && !s.written[ix(i)]);
        return r;
      }
      case SymbolicClaim::inconsistent_offsets: {
        expr r = F();
        for (int i = 0; i < d_.B; ++i) r = r || (s.acked[ix(i)] && s.ack_at[ix(i)] != bv(static_cast<unsigned>(i)));
        return r;
      }
    }
    return F();
  }

 private:
  static std::size_t ix(int i) { return static_cast<std::size_t>(i); }

  expr sel(const std::vector<expr>& v, const expr& idx) const {
    expr r = v.back();
    for (int i = static_cast<int>(v.size()) - 2; i >= 0; --i) r = ite(idx == bv(static_cast<unsigned>(i)), v[ix(i)], r);
    return r;
  }
  void set(std::vector<expr>& v, const expr& idx, const expr& val, const expr& g) const {
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = ite(g && idx == bv(static_cast<unsigned>(i)), val, v[i]);
  }
  static void upd(expr& field, const expr& g, const expr& val) { field = ite(g, val, field); }
  expr inc(const expr& v) const { return v + bv(1); }

  // --- producer ------------------------------------------------------------

  // World::apply(send) / new_send: the next batch joins the queue's tail.
  void send(State& s, const expr& g0) const {
    const expr g = g0 && ult(s.nsent, bv(static_cast<unsigned>(d_.B)));
    for (std::size_t i = 0; i < s.q.size(); ++i) upd(s.q[i], g && s.qlen == bv(static_cast<unsigned>(i)), s.nsent);
    upd(s.qlen, g, inc(s.qlen));
    upd(s.nsent, g, inc(s.nsent));
  }

  // (epoch, sequence, index) order of the sequencer's in-flight set.
  expr less(const State& s, int j, int i) const {
    const expr& ej = s.epoch[ix(j)];
    const expr& ei = s.epoch[ix(i)];
    const expr& sj = s.seq[ix(j)];
    const expr& si = s.seq[ix(i)];
    return ult(ej, ei) || (ej == ei && (ult(sj, si) || (sj == si && c_.bool_val(j < i))));
  }

  void pop_queue(State& s, const expr& g) const {
    for (std::size_t i = 0; i < s.q.size(); ++i) upd(s.q[i], g, i + 1 < s.q.size() ? s.q[i + 1] : bv(0));
    upd(s.qlen, g, s.qlen - bv(1));
  }

  void insert_queue(State& s, const expr& g, const expr& pos, const expr& x) const {
    std::vector<expr> nq = s.q;
    for (std::size_t i = 0; i < s.q.size(); ++i) {
      const expr iv = bv(static_cast<unsigned>(i));
      const expr shifted = i == 0 ? x : ite(iv == pos, x, s.q[i - 1]);
      nq[i] = ite(ult(iv, pos), s.q[i], shifted);
    }
    for (std::size_t i = 0; i < s.q.size(); ++i) upd(s.q[i], g, nq[i]);
    upd(s.qlen, g, inc(s.qlen));
  }

  // world.cpp reenqueue: insertInSequenceOrder with idempotence, addFirst without.
  void reenqueue(State& s, const expr& g, const expr& x) const {
    if (!d_.idem) {
      insert_queue(s, g, bv(0), x);
      return;
    }
    const expr xs = sel(s.seq, x);
    expr run = T();
    expr pos = bv(0);
    for (std::size_t j = 0; j < s.q.size(); ++j) {
      const expr& qj = s.q[j];
      run = run && ult(bv(static_cast<unsigned>(j)), s.qlen) && sel(s.has_stamp, qj) && ult(sel(s.seq, qj), xs);
      pos = ite(run, bv(static_cast<unsigned>(j + 1)), pos);
    }
    insert_queue(s, g, pos, x);
  }

  // world.cpp complete (Sender.completeBatch / failBatch) with the sequencer's S4..S6.
  void complete(State& s, const expr& g, const expr& x, const expr& e, const expr& at) const {
    const expr done = sel(s.acked, x) || sel(s.failed, x);
    const expr success = e == err(e_none);
    const expr gs = g && success;
    const expr ge = g && !success;
    const expr retriable = e == err(e_ner) || e == err(e_neraa) || e == err(e_net);
    if (d_.idem) {
      const expr sq = sel(s.seq, x);
      const expr sq1 = inc(sq);
      const expr nobump = sel(s.reopened, x) || sq != s.lacked1;  // S5: not the next sequence, or reopened
      const expr oose = e == err(e_oose);
      const expr pre = !done;
      const expr retry = pre && (retriable || oose);
      upd(s.lacked1, gs && ugt(sq1, s.lacked1), sq1);  // S4
      set(s.sinfl, x, F(), gs || (ge && !retry));      // S4 / S6
      upd(s.bump, ge && ((pre && oose && !nobump) || !retry), T());  // S5 / S6 (adjust: retries remain)
      reenqueue(s, ge && retry, x);
      set(s.failed, x, T(), ge && !retry && !done);
    } else {
      const expr retry = !done && retriable;
      reenqueue(s, ge && retry, x);
      set(s.failed, x, T(), ge && !retry && !done);
    }
    set(s.acked, x, T(), gs && !done);
    set(s.ack_at, x, at, gs && !done);
  }

  // world.cpp drain: begin_send_loop (S8), then at most one request.
  void drain(State& s, const expr& g, Outputs& out) const {
    const int B = d_.B;
    if (d_.idem) {
      // S8: a requested bump raises the epoch and re-stamps the in-flight batches from 0.
      const expr gb = g && s.bump;
      const expr cur1 = s.cur + ev(1);
      std::vector<expr> rank;
      expr count = bv(0);
      for (int i = 0; i < B; ++i) {
        expr r = bv(0);
        for (int j = 0; j < B; ++j) {
          if (j != i) r = r + ite(s.sinfl[ix(j)] && less(s, j, i), bv(1), bv(0));
        }
        rank.push_back(r);
        count = count + ite(s.sinfl[ix(i)], bv(1), bv(0));
      }
      for (int i = 0; i < B; ++i) {
        const expr gi = gb && s.sinfl[ix(i)];
        upd(s.epoch[ix(i)], gi, cur1);
        upd(s.seq[ix(i)], gi, rank[ix(i)]);
        upd(s.reopened[ix(i)], gi, T());
      }
      upd(s.cur, gb, cur1);
      upd(s.pvalid, gb, T());
      upd(s.pepoch, gb, cur1);
      upd(s.next, gb, count);
      upd(s.lacked1, gb, bv(0));
      upd(s.bump, gb, F());
    }
    const expr room = ult(s.olen, bv(static_cast<unsigned>(d_.m)));
    const expr has = s.qlen != bv(0);
    const expr x = s.q[0];
    expr allowed = T();
    expr hs = F();
    expr stale = F();
    expr any = F();
    if (d_.idem) {
      // S2 / S3: may the head batch be drained?
      expr minseq = bv(0);
      for (int i = B - 1; i >= 0; --i) {
        expr is_min = s.sinfl[ix(i)];
        for (int j = 0; j < B; ++j) {
          if (j != i) is_min = is_min && !(s.sinfl[ix(j)] && less(s, j, i));
        }
        minseq = ite(is_min, s.seq[ix(i)], minseq);
        any = any || s.sinfl[ix(i)];
      }
      hs = sel(s.has_stamp, x);
      stale = !(s.pvalid && s.pepoch == s.cur);
      allowed = ite(hs, any && sel(s.seq, x) == minseq, !(stale && any));
    }
    const expr gd = g && room && has && allowed;
    pop_queue(s, gd);
    if (d_.idem) {
      // S1: stamp a new batch (sequences restart at 0 under a new id/epoch when nothing is in flight).
      const expr reset = gd && !hs && stale && !any;
      upd(s.pvalid, reset, T());
      upd(s.pepoch, reset, s.cur);
      upd(s.next, reset, bv(0));
      upd(s.lacked1, reset, bv(0));
      const expr gs = gd && !hs;
      set(s.epoch, x, s.cur, gs);
      set(s.seq, x, s.next, gs);
      set(s.reopened, x, F(), gd);  // every drain clears reopened (ProducerBatch.close())
      set(s.has_stamp, x, T(), gs);
      set(s.sinfl, x, T(), gs);
      upd(s.next, gs, inc(s.next));
    }
    // The request joins the outstanding ones, unread, with the header it carries.
    const expr hx_e = sel(s.epoch, x);
    const expr hx_s = sel(s.seq, x);
    for (std::size_t j = 0; j < s.ob.size(); ++j) {
      const expr at = gd && s.olen == bv(static_cast<unsigned>(j));
      upd(s.ob[j], at, x);
      upd(s.oe[j], at, hx_e);
      upd(s.os[j], at, hx_s);
      upd(s.olost[j], at, F());
      upd(s.oerr[j], at, err(0));
      upd(s.odup[j], at, F());
      upd(s.oat[j], at, bv(0));
    }
    upd(s.olen, gd, inc(s.olen));
    out.drained = gd;
    out.drained_batch = x;
  }

  // --- broker ----------------------------------------------------------------

  struct AppendResult {
    expr error, duplicate, at;
  };

  // partition_model.cpp append (R1..R10) and the log write of world.cpp process.
  AppendResult append(State& s, const expr& g, const expr& x, const expr& e, const expr& f) const {
    expr write = T();
    expr error = err(e_none);
    expr duplicate = F();
    expr at = x;
    if (d_.idem) {
      const expr& he = s.has_entry;
      const expr& E = s.bepoch;
      const auto w = static_cast<std::size_t>(d_.w);
      expr hit = F();
      expr hit_at = bv(0);
      for (int i = d_.w - 1; i >= 0; --i) {
        const expr h = ult(bv(static_cast<unsigned>(i)), s.clen) && s.cseq[ix(i)] == f;
        hit_at = ite(h, s.cat[ix(i)], hit_at);
        hit = hit || h;
      }
      const expr r3 = he && e == E && hit;                                      // R3
      const expr r4 = !r3 && he && ult(e, E);                                    // R4
      const expr w5 = !he;                                                        // R5
      const expr w6 = he && ugt(e, E) && f == bv(0);                             // R6
      const expr last = sel(s.cseq, s.clen - bv(1));
      const expr in_seq = ite(s.clen == bv(0), f == bv(0), f == inc(last));
      const expr w9 = he && e == E && !r3 && in_seq;                             // R9 (else R7 / R10)
      write = w5 || w6 || w9;
      error = ite(r3 || write, err(e_none), ite(r4, err(e_ipe), err(e_oose)));
      duplicate = r3;
      at = ite(r3, hit_at, x);
      // add_batch: a new epoch clears the cache; the oldest batch leaves beyond the window.
      const expr gw = g && write;
      const expr clear = !he || E != e;
      const expr full = s.clen == bv(static_cast<unsigned>(d_.w));
      std::vector<expr> nseq = s.cseq, nat = s.cat;
      for (std::size_t i = 0; i < w; ++i) {
        const expr iv = bv(static_cast<unsigned>(i));
        const expr shift_seq = i + 1 < w ? s.cseq[i + 1] : f;
        const expr shift_at = i + 1 < w ? s.cat[i + 1] : x;
        const expr put = s.clen == iv;
        nseq[i] = ite(clear, i == 0 ? f : s.cseq[i], ite(full, shift_seq, ite(put, f, s.cseq[i])));
        nat[i] = ite(clear, i == 0 ? x : s.cat[i], ite(full, shift_at, ite(put, x, s.cat[i])));
      }
      for (std::size_t i = 0; i < w; ++i) {
        upd(s.cseq[i], gw, nseq[i]);
        upd(s.cat[i], gw, nat[i]);
      }
      upd(s.clen, gw, ite(clear, bv(1), ite(full, s.clen, inc(s.clen))));
      upd(s.has_entry, gw, T());
      upd(s.bepoch, gw, e);
    }
    // The log: a second write of a batch is a duplicate; a first write after a later batch's is out of order.
    const expr gw = g && write;
    const expr was = sel(s.written, x);
    expr later = F();
    for (int j = 0; j < d_.B; ++j) later = later || (ugt(bv(static_cast<unsigned>(j)), x) && s.written[ix(j)]);
    upd(s.dup, gw && was, T());
    upd(s.nonmono, gw && !was && later, T());
    set(s.written, x, T(), gw);
    return AppendResult{error, duplicate, at};
  }

  // world.cpp deliver_request (with fail_request's injected errors) and process.
  void deliver_request(State& s, const expr& g, const expr& before, const expr& after, Outputs& out) const {
    const expr gv = g && ult(s.nproc, s.olen);
    const expr j = s.nproc;
    const expr x = sel(s.ob, j);
    const expr e = sel(s.oe, j);
    const expr f = sel(s.os, j);
    const expr was = sel(s.written, x);
    const AppendResult r = append(s, gv && !before, x, e, f);
    const expr error = ite(before, err(e_ner), ite(after && r.error == err(e_none), err(e_neraa), r.error));
    const expr dup = ite(before, F(), r.duplicate);
    const expr at = ite(error == err(e_none), r.at, bv(0));
    upd(s.retry, gv && !before && was && !r.duplicate, T());
    set(s.olost, j, F(), gv);
    set(s.oerr, j, error, gv);
    set(s.odup, j, dup, gv);
    set(s.oat, j, at, gv);
    upd(s.nproc, gv, inc(s.nproc));
    out.answered = gv;
    out.ans_batch = x;
    out.ans_err = error;
    out.ans_dup = dup;
    out.ans_at = at;
  }

  expr response_waiting(const State& s) const {
    expr r = F();
    for (std::size_t j = 0; j < s.olost.size(); ++j) r = r || (ult(bv(static_cast<unsigned>(j)), s.nproc) && !s.olost[j]);
    return r;
  }

  void pop_outstanding(State& s, const expr& g) const {
    const std::size_t m = s.ob.size();
    for (std::size_t j = 0; j < m; ++j) {
      const bool last = j + 1 == m;
      upd(s.ob[j], g, last ? bv(0) : s.ob[j + 1]);
      upd(s.oe[j], g, last ? ev(0) : s.oe[j + 1]);
      upd(s.os[j], g, last ? bv(0) : s.os[j + 1]);
      upd(s.olost[j], g, last ? F() : s.olost[j + 1]);
      upd(s.oerr[j], g, last ? err(0) : s.oerr[j + 1]);
      upd(s.odup[j], g, last ? F() : s.odup[j + 1]);
      upd(s.oat[j], g, last ? bv(0) : s.oat[j + 1]);
    }
    upd(s.olen, g, s.olen - bv(1));
    upd(s.nproc, g, s.nproc - bv(1));
  }

  // world.cpp deliver_response: the oldest response; a mismatch breaks the connection.
  void deliver_response(State& s, const expr& g, Outputs& out) const {
    const expr waiting = response_waiting(s);
    const expr match = s.nproc != bv(0) && !s.olost[0];
    const expr gm = g && waiting && match;
    const expr gx = g && waiting && !match;
    const expr x = s.ob[0];
    const expr e = s.oerr[0];
    const expr at = s.oat[0];
    pop_outstanding(s, gm);
    complete(s, gm, x, e, at);
    do_break(s, gx, bv(0), out);
    out.mismatch = gx;
  }

  // world.cpp lose_response: the oldest response in transit is lost.
  void lose_response(State& s, const expr& g) const {
    expr earlier = F();
    for (std::size_t j = 0; j < s.olost.size(); ++j) {
      const expr cand = ult(bv(static_cast<unsigned>(j)), s.nproc) && !s.olost[j];
      upd(s.olost[j], g && cand && !earlier, T());
      earlier = earlier || cand;
    }
  }

  // world.cpp break_connection + disconnect_client (and timeout, which also moves the clock).
  void do_break(State& s, const expr& g0, const expr& k, Outputs& out) const {
    const expr g = g0 && s.olen != bv(0);
    const expr unread = s.olen - s.nproc;
    const expr taken = ite(ult(k, unread), k, unread);
    const auto Z = s.zb.size();
    for (std::size_t z = 0; z < Z; ++z) {
      for (int t = 0; t < d_.m; ++t) {
        const expr put = g && ult(bv(static_cast<unsigned>(t)), taken) &&
                         s.zlen + bv(static_cast<unsigned>(t)) == bv(static_cast<unsigned>(z));
        const expr slot = s.nproc + bv(static_cast<unsigned>(t));
        upd(s.zb[z], put, sel(s.ob, slot));
        upd(s.ze[z], put, sel(s.oe, slot));
        upd(s.zs[z], put, sel(s.os, slot));
      }
    }
    out.overflow = out.overflow || (g && ugt(s.zlen + taken, bv(static_cast<unsigned>(Z))));
    out.zombies = ite(g, taken, out.zombies);
    upd(s.zlen, g, s.zlen + taken);
    const State old = s;
    for (std::size_t j = 0; j < s.ob.size(); ++j) {
      upd(s.ob[j], g, bv(0));
      upd(s.oe[j], g, ev(0));
      upd(s.os[j], g, bv(0));
      upd(s.olost[j], g, F());
      upd(s.oerr[j], g, err(0));
      upd(s.odup[j], g, F());
      upd(s.oat[j], g, bv(0));
    }
    upd(s.olen, g, bv(0));
    upd(s.nproc, g, bv(0));
    for (std::size_t j = 0; j < old.ob.size(); ++j) {
      complete(s, g && ult(bv(static_cast<unsigned>(j)), old.olen), old.ob[j], err(e_net), bv(0));
    }
  }

  // world.cpp process_zombie: the oldest zombie is appended; its answer is lost.
  void process_zombie(State& s, const expr& g0) const {
    const expr g = g0 && s.zlen != bv(0);
    const expr x = s.zb[0];
    const expr e = s.ze[0];
    const expr f = s.zs[0];
    append(s, g, x, e, f);
    const std::size_t Z = s.zb.size();
    for (std::size_t z = 0; z < Z; ++z) {
      const bool last = z + 1 == Z;
      upd(s.zb[z], g, last ? bv(0) : s.zb[z + 1]);
      upd(s.ze[z], g, last ? ev(0) : s.ze[z + 1]);
      upd(s.zs[z], g, last ? bv(0) : s.zs[z + 1]);
    }
    upd(s.zlen, g, s.zlen - bv(1));
  }

  z3::context& c_;
  Dims d_;
};

Dims dims_for(const SymbolicConfig& cfg, int max_steps) {
  Dims d;
  d.B = cfg.batches;
  d.m = cfg.max_in_flight;
  d.w = cfg.window;
  d.Z = cfg.zombies;
  d.idem = cfg.idempotence;
  d.N = bits_for(std::max({d.B + 1, d.m + d.Z + 1, d.w + 1}));
  d.EW = bits_for(max_steps + 1);
  return d;
}

// The cone of influence of a set of claims: the state fields their violation
// reads, and, transitively, every field the next value of a field in the cone
// reads, or that decides whether an event is in the domain or the proving-only
// reductions admit it. Fields outside it never change what the claims see, so
// the unrolling keeps them at their start values and the solver never meets
// them. Found by reading one symbolic step from a state of fresh constants.
std::vector<bool> cone_of(z3::context& c, const Dims& d, bool known_producer, const std::vector<SymbolicClaim>& claims,
                          bool with_epoch_guard) {
  const Encoder enc(c, d);
  State s = enc.start(known_producer);
  auto refs = s.refs();
  std::unordered_map<unsigned, std::size_t> field_of;  // AST id of a fresh constant -> its field
  for (std::size_t i = 0; i < refs.size(); ++i) {
    *refs[i] = c.constant(("cone_v" + std::to_string(i)).c_str(), refs[i]->get_sort());
    field_of.emplace(Z3_get_ast_id(c, *refs[i]), i);
  }
  const expr kind_v = c.bv_const("cone_kind", 4);
  const expr k_v = c.bv_const("cone_k", static_cast<unsigned>(d.N));
  Outputs out(c);
  State next = enc.step(s, kind_v, k_v, out);
  auto fields_read = [&](const expr& root) {
    std::vector<std::size_t> found;
    std::unordered_set<unsigned> seen;
    std::vector<expr> todo{root};
    while (!todo.empty()) {
      const expr e = todo.back();
      todo.pop_back();
      if (!seen.insert(Z3_get_ast_id(c, e)).second || !e.is_app()) continue;
      if (e.num_args() == 0) {
        if (auto it = field_of.find(Z3_get_ast_id(c, e)); it != field_of.end()) found.push_back(it->second);
        continue;
      }
      for (unsigned a = 0; a < e.num_args(); ++a) todo.push_back(e.arg(a));
    }
    return found;
  };
  std::vector<bool> in(refs.size(), false);
  std::vector<std::size_t> work;
  auto add = [&](std::size_t i) {
    if (!in[i]) {
      in[i] = true;
      work.push_back(i);
    }
  };
  for (SymbolicClaim claim : claims) {
    for (std::size_t i : fields_read(enc.bad(s, claim))) add(i);
  }
  for (std::size_t i : fields_read(enc.domain(s, kind_v, k_v, out))) add(i);
  // The reductions read the requests in transit (break's count), as olen - nproc.
  for (std::size_t i : fields_read(s.olen - s.nproc)) add(i);
  if (with_epoch_guard) {
    for (std::size_t i : fields_read(s.cur)) add(i);
  }
  const auto next_refs = next.refs();
  while (!work.empty()) {
    const std::size_t i = work.back();
    work.pop_back();
    for (std::size_t j : fields_read(*next_refs[i])) add(j);
  }
  return in;
}

// A run of the encoding: the state at each depth, with fresh constants only
// for fields a step can change.
class Unrolling {
 public:
  // From the initial state, or (`free_start`) from a state of fresh constants.
  Unrolling(z3::context& c, const Dims& d, std::string prefix, bool free_start = false, bool known_producer = false)
      : c_(c), enc_(c, d), prefix_(std::move(prefix)) {
    State s = enc_.start(known_producer);
    if (free_start) {
      auto refs = s.refs();
      for (std::size_t i = 0; i < refs.size(); ++i) {
        *refs[i] = c_.constant((prefix_ + "pre_v" + std::to_string(i)).c_str(), refs[i]->get_sort());
      }
    }
    states_.push_back(s);
  }

  // Unrolls only the fields in `cone` (see cone_of); the others keep their start values. Before any extend().
  void restrict_to(std::vector<bool> cone) { cone_ = std::move(cone); }
  // Is field i unrolled?
  bool unrolled(std::size_t i) const { return cone_.empty() || cone_[i]; }

  const Encoder& enc() const { return enc_; }
  const State& state(std::size_t k) const { return states_.at(k); }
  std::size_t depth() const { return states_.size() - 1; }
  const expr& kind(std::size_t k) const { return kinds_.at(k); }
  const expr& param(std::size_t k) const { return params_.at(k); }
  const Outputs& outputs(std::size_t k) const { return outs_.at(k); }

  // Adds step depth() -> depth()+1; returns its constraints.
  std::vector<expr> extend(bool reduce) {
    const std::size_t k = depth();
    const std::string p = prefix_ + std::to_string(k);
    expr kind_v = c_.bv_const((p + "_kind").c_str(), 4);
    expr k_v = c_.bv_const((p + "_k").c_str(), static_cast<unsigned>(enc_.dims().N));
    Outputs out(c_);
    State cur = states_.back();
    State next = enc_.step(cur, kind_v, k_v, out);
    std::vector<expr> cs;
    cs.push_back(enc_.domain(cur, kind_v, k_v, out));
    auto nrefs = next.refs();
    auto crefs = cur.refs();
    expr changed = c_.bool_val(false);
    for (std::size_t i = 0; i < nrefs.size(); ++i) {
      if (!unrolled(i)) {
        *nrefs[i] = *crefs[i];
        continue;
      }
      expr val = nrefs[i]->simplify();
      if (z3::eq(val, *crefs[i])) {
        *nrefs[i] = *crefs[i];
        continue;
      }
      if (val.is_numeral() || val.is_true() || val.is_false()) {
        *nrefs[i] = val;
      } else {
        expr v = c_.constant((p + "_v" + std::to_string(i)).c_str(), val.get_sort());
        cs.push_back(v == val);
        *nrefs[i] = v;
      }
      changed = changed || (*nrefs[i] != *crefs[i]);
    }
    if (reduce) {
      const Encoder& e = enc_;
      cs.push_back(kind_v != e.kind(k_timeout) && kind_v != e.kind(k_tick));
      cs.push_back(z3::implies(kind_v != e.kind(k_break), k_v == e.bv(0)));
      cs.push_back(z3::implies(kind_v == e.kind(k_break), ule(k_v, cur.olen - cur.nproc)));
      cs.push_back(changed);
      if (k > 0) {
        const expr& pk = kinds_.back();
        auto is = [&](const expr& v, std::initializer_list<unsigned> ks) {
          expr r = c_.bool_val(false);
          for (unsigned x : ks) r = r || v == e.kind(x);
          return r;
        };
        // Canonical order of adjacent independent events: send < zombie < lose-response < the rest.
        cs.push_back(z3::implies(kind_v == e.kind(k_send), is(pk, {k_send, k_drain})));
        cs.push_back(z3::implies(kind_v == e.kind(k_zombie), !is(pk, {k_drain, k_deliver_response, k_lose_response})));
        cs.push_back(z3::implies(kind_v == e.kind(k_lose_response), pk != e.kind(k_drain)));
      }
    }
    kinds_.push_back(kind_v);
    params_.push_back(k_v);
    outs_.push_back(out);
    states_.push_back(next);
    return cs;
  }

 private:
  z3::context& c_;
  Encoder enc_;
  std::string prefix_;
  std::vector<State> states_;
  std::vector<bool> cone_;  // empty: every field
  std::vector<expr> kinds_, params_;
  std::vector<Outputs> outs_;
};

template <class... T>
std::string cat(const T&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

// --- proofs for every length (k-induction) ------------------------------------

// Epochs get this many bits in the induction. The producer's epoch only ever
// rises by one (S8), and every other epoch is a copy of it, so an epoch field
// wraps only after the current one reached the maximum; the induction treats
// reaching it as a violation, which makes the fixed-width relation agree with
// Kafka's unbounded one on every state the proof covers.
constexpr int kUnboundedEpochBits = 4;
// The deepest induction tried (its distinctness constraints grow with k squared).
constexpr int kMaxInductionDepth = 24;

// k-induction: is there a path of k + 1 pairwise distinct states, from any
// state whatever, whose first k states satisfy the claim and whose last does
// not? If not, and the bounded search proved the claim to depth k - 1, the
// claim holds at every depth. Returns the k that closed it, or 0.
int k_induction(const SymbolicConfig& cfg, SymbolicClaim claim, int max_k, double seconds, bool use_cone) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  z3::context ctx;
  z3::solver solver(ctx, "QF_FD");
  Dims d = dims_for(cfg, 1);
  d.EW = kUnboundedEpochBits;
  Unrolling run(ctx, d, "i", true, false);
  // Over the claim's cone (with the epoch guard's field) the paths are simple in the projected
  // system, which is itself a transition system: the other fields never change what it sees.
  if (use_cone) run.restrict_to(cone_of(ctx, d, false, {claim}, true));
  const unsigned top = (1U << kUnboundedEpochBits) - 1;
  auto distinct = [&](std::size_t a, std::size_t b) {
    State sa = run.state(a), sb = run.state(b);
    auto ra = sa.refs(), rb = sb.refs();
    expr r = ctx.bool_val(false);
    for (std::size_t i = 0; i < ra.size(); ++i) {
      if (run.unrolled(i)) r = r || (*ra[i] != *rb[i]);
    }
    return r;
  };
  for (int k = 1; k <= max_k; ++k) {
    const std::size_t last = run.depth();
    solver.add(!run.enc().bad(run.state(last), claim));
    solver.add(ult(run.state(last).cur, run.enc().ev(top)));
    for (const expr& c : run.extend(false)) solver.add(c);
    for (std::size_t j = 0; j < run.depth(); ++j) solver.add(distinct(j, run.depth()));
    solver.push();
    solver.add(run.enc().bad(run.state(run.depth()), claim) || !ult(run.state(run.depth()).cur, run.enc().ev(top)));
    const double left = seconds - std::chrono::duration<double>(clock::now() - t0).count();
    if (left <= 0) return 0;
    z3::params p(ctx);
    p.set("timeout", static_cast<unsigned>(left * 1000));
    solver.set(p);
    const z3::check_result r = solver.check();
    solver.pop();
    if (r == z3::unsat) return k;
    if (r == z3::unknown) return 0;
  }
  return 0;
}

Event decode_event(unsigned kind, unsigned k) {
  Event e;
  switch (kind) {
    case k_send: e.kind = Event::Kind::send; e.count = 1; break;
    case k_drain: e.kind = Event::Kind::drain; break;
    case k_deliver: e.kind = Event::Kind::deliver_request; break;
    case k_fail_ner: e.kind = Event::Kind::fail_request; e.error = Error::not_enough_replicas; break;
    case k_fail_neraa: e.kind = Event::Kind::fail_request; e.error = Error::not_enough_replicas_after_append; break;
    case k_deliver_response: e.kind = Event::Kind::deliver_response; break;
    case k_lose_response: e.kind = Event::Kind::lose_response; break;
    case k_break: e.kind = Event::Kind::break_connection; e.count = k; break;
    case k_zombie: e.kind = Event::Kind::process_zombie; break;
    case k_timeout: e.kind = Event::Kind::timeout; e.count = k; break;
    default: e.kind = Event::Kind::tick; e.ms = 0; break;
  }
  return e;
}

}  // namespace

// --- proving -----------------------------------------------------------------

CellResult prove_cell(const SymbolicConfig& raw, const ProveOptions& opts) {
  if (const std::string why = check_symbolic_config(raw); !why.empty()) throw std::invalid_argument(why);
  if (opts.max_depth < 0 || opts.max_depth > 200) throw std::invalid_argument("the depth must be 0 to 200");
  const SymbolicConfig cfg = resolve(raw);
  const WorldConfig world = small_world_config(cfg);
  CellResult result;
  result.config = cfg;
  const std::vector<SymbolicClaim>& claims = opts.claims.empty() ? all_symbolic_claims() : opts.claims;
  for (SymbolicClaim c : claims) {
    ClaimResult r;
    r.claim = c;
    result.claims.push_back(std::move(r));
  }
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
  const Dims dims = dims_for(cfg, opts.max_depth);

  // One solver for all the claims (one query per depth for all of them settles them at most depths;
  // a solver per claim was several times slower), over the union of their cones.
  try {
    z3::context ctx;
    z3::solver solver(ctx, "QF_FD");
    Unrolling run(ctx, dims, "s", false, cfg.known_producer);
    result.state_fields = State(run.state(0)).refs().size();
    if (opts.cone) {
      std::vector<SymbolicClaim> asked;
      for (const ClaimResult& r : result.claims) asked.push_back(r.claim);
      std::vector<bool> cone = cone_of(ctx, dims, cfg.known_producer, asked, false);
      const auto unrolled = static_cast<std::size_t>(std::count(cone.begin(), cone.end(), true));
      for (ClaimResult& r : result.claims) r.cone_fields = unrolled;
      run.restrict_to(std::move(cone));
    } else {
      for (ClaimResult& r : result.claims) r.cone_fields = result.state_fields;
    }
    const bool limited = opts.time_limit_seconds > 0;
    // The next check may take only what is left of the cell's time.
    auto limit_to_what_is_left = [&] {
      if (!limited) return;
      const double left = std::max(0.01, opts.time_limit_seconds - elapsed());
      z3::params p(ctx);
      p.set("timeout", static_cast<unsigned>(left * 1000));
      solver.set(p);
    };
    bool out_of_time = false;
    for (int depth = 0; depth <= opts.max_depth && !out_of_time; ++depth) {
      if (limited && elapsed() >= opts.time_limit_seconds) break;
      const auto t0 = clock::now();
      auto note_depth_time = [&] {
        result.depth_seconds.push_back(std::chrono::duration<double>(clock::now() - t0).count());
      };
      if (depth > 0) {
        for (const expr& c : run.extend(opts.reduce)) solver.add(c);
      }
      bool open = false;
      // One check for the disjunction of the open claims first: at most depths
      // none is violated, and one unsatisfiable query then settles them all.
      std::size_t open_count = 0;
      expr any_bad = ctx.bool_val(false);
      for (const ClaimResult& r : result.claims) {
        if (r.refuted) continue;
        ++open_count;
        any_bad = any_bad || run.enc().bad(run.state(static_cast<std::size_t>(depth)), r.claim);
      }
      if (open_count > 1) {
        const auto c0 = clock::now();
        solver.push();
        solver.add(any_bad);
        limit_to_what_is_left();
        const z3::check_result answer = solver.check();
        solver.pop();
        const double spent =
            std::chrono::duration<double>(clock::now() - c0).count() / static_cast<double>(open_count);
        if (answer == z3::unknown && limited) break;
        if (answer == z3::unknown) throw std::runtime_error("the solver gave up: " + solver.reason_unknown());
        if (answer == z3::unsat) {
          solver.add(!any_bad);
          for (ClaimResult& r : result.claims) {
            if (r.refuted) continue;
            r.depth = depth;
            r.seconds += spent;
          }
          note_depth_time();
          continue;
        }
      }
      for (ClaimResult& r : result.claims) {
        if (r.refuted) continue;
        open = true;
        const auto c0 = clock::now();
        solver.push();
        solver.add(run.enc().bad(run.state(static_cast<std::size_t>(depth)), r.claim));
        limit_to_what_is_left();
        const z3::check_result answer = solver.check();
        if (answer == z3::unknown && limited) {  // out of time: the claim stays proved to the depth before
          solver.pop();
          r.seconds += std::chrono::duration<double>(clock::now() - c0).count();
          out_of_time = true;
          break;
        }
        if (answer == z3::sat) {
          const z3::model model = solver.get_model();
          r.refuted = true;
          r.depth = depth;
          r.counterexample.config = world;
          r.counterexample.events = known_producer_prefix(cfg);
          for (int k = 0; k < depth; ++k) {
            const unsigned kind = model.eval(run.kind(static_cast<std::size_t>(k)), true).get_numeral_uint();
            const unsigned param = model.eval(run.param(static_cast<std::size_t>(k)), true).get_numeral_uint();
            r.counterexample.events.push_back(decode_event(kind, param));
          }
        } else if (answer == z3::unsat) {
          r.depth = depth;
        } else {
          solver.pop();
          throw std::runtime_error("the solver gave up: " + solver.reason_unknown());
        }
        solver.pop();
        // Proved at this depth: a lemma that prunes the deeper searches.
        if (!r.refuted) solver.add(!run.enc().bad(run.state(static_cast<std::size_t>(depth)), r.claim));
        r.seconds += std::chrono::duration<double>(clock::now() - c0).count();
      }
      if (out_of_time) break;
      note_depth_time();
      if (!open) break;
    }
  } catch (const z3::exception& e) {
    throw std::runtime_error(std::string("z3: ") + e.msg());
  }
  if (opts.unbounded) {
    for (ClaimResult& r : result.claims) {
      if (r.refuted) continue;
      const auto u0 = clock::now();
      const int k = k_induction(cfg, r.claim, std::min(r.depth + 1, kMaxInductionDepth), opts.unbounded_seconds,
                                opts.cone);
      r.unbounded_seconds = std::chrono::duration<double>(clock::now() - u0).count();
      if (k > 0) {
        r.all_lengths = true;
        r.proof = "k-induction, k = " + std::to_string(k);
      } else {
        r.why_bounded = cat("not k-inductive for k <= ", std::min(r.depth + 1, kMaxInductionDepth), " within ",
                            static_cast<long>(opts.unbounded_seconds + 0.5), " s");
      }
    }
  }
  result.seconds = std::chrono::duration<double>(clock::now() - start).count();
  return result;
}

// --- replaying a concrete history on the encoding ------------------------------

int encoding_violation_depth(const SymbolicConfig& raw, const History& history, SymbolicClaim claim) {
  if (const std::string why = check_symbolic_config(raw); !why.empty()) throw std::invalid_argument(why);
  const SymbolicConfig cfg = resolve(raw);
  const std::vector<Event> prefix = known_producer_prefix(cfg);
  if (history.events.size() < prefix.size() ||
      !std::equal(prefix.begin(), prefix.end(), history.events.begin())) {
    return -1;
  }
  try {
    z3::context ctx;
    const Encoder enc(ctx, dims_for(cfg, static_cast<int>(history.events.size()) + 1));
    State s = enc.start(cfg.known_producer);
    if (enc.bad(s, claim).simplify().is_true()) return 0;
    const auto N = static_cast<unsigned>(enc.dims().N);
    for (std::size_t i = prefix.size(); i < history.events.size(); ++i) {
      const Event& e = history.events[i];
      unsigned kind = k_count, k = 0;
      switch (e.kind) {
        case Event::Kind::send: kind = e.count == 1 ? k_send : k_count; break;
        case Event::Kind::drain: kind = k_drain; break;
        case Event::Kind::deliver_request: kind = k_deliver; break;
        case Event::Kind::fail_request:
          kind = e.error == Error::not_enough_replicas                  ? k_fail_ner
                 : e.error == Error::not_enough_replicas_after_append ? k_fail_neraa
                                                                        : k_count;
          break;
        case Event::Kind::deliver_response: kind = k_deliver_response; break;
        case Event::Kind::lose_response: kind = k_lose_response; break;
        case Event::Kind::break_connection: kind = k_break; break;
        case Event::Kind::process_zombie: kind = k_zombie; break;
        case Event::Kind::timeout: kind = k_timeout; break;
        case Event::Kind::tick: kind = k_tick; break;
        default: break;
      }
      if (e.kind == Event::Kind::break_connection || e.kind == Event::Kind::timeout) {
        if (e.count < 0 || e.count >= (std::int64_t{1} << N)) return -1;
        k = static_cast<unsigned>(e.count);
      }
      if (kind == k_count || e.late_poll) return -1;  // outside the encoding's vocabulary
      Outputs o(ctx);
      const expr kind_v = enc.kind(kind), k_v = ctx.bv_val(k, N);
      State next = enc.step(s, kind_v, k_v, o);
      if (!enc.domain(s, kind_v, k_v, o).simplify().is_true()) return -1;
      for (expr* x : next.refs()) *x = x->simplify();
      s = next;
      if (enc.bad(s, claim).simplify().is_true()) return static_cast<int>(i + 1 - prefix.size());
    }
  } catch (const z3::exception& e) {
    throw std::runtime_error(std::string("z3: ") + e.msg());
  }
  return -1;
}

// --- agreement with World ------------------------------------------------------

struct SymbolicTracker::Impl {
  // One symbolic step from a free state, asserted once; each concrete step
  // pins the state before it to the values the relation gave the step before.
  Impl(const SymbolicConfig& c, int max_steps)
      : cfg(c), solver(ctx, "QF_FD"), run(ctx, dims_for(c, max_steps), "t", true), max_steps(max_steps) {
    for (const expr& x : run.extend(false)) solver.add(x);
    State init = run.enc().initial();
    for (expr* x : init.refs()) values.push_back(*x);
  }
  SymbolicConfig cfg;
  z3::context ctx;
  z3::solver solver;
  Unrolling run;
  int max_steps;
  int steps = 0;
  std::vector<expr> values;  // the symbolic state before the next step
  bool spent = false;
};

SymbolicTracker::SymbolicTracker(const SymbolicConfig& config, int max_steps) {
  if (const std::string why = check_symbolic_config(config); !why.empty()) throw std::invalid_argument(why);
  try {
    impl_ = std::make_unique<Impl>(resolve(config), max_steps);
  } catch (const z3::exception& e) {
    throw std::runtime_error(std::string("z3: ") + e.msg());
  }
}

SymbolicTracker::~SymbolicTracker() = default;

namespace {

unsigned err_code(Error e, bool& ok) {
  ok = true;
  switch (e) {
    case Error::none: return e_none;
    case Error::not_enough_replicas: return e_ner;
    case Error::not_enough_replicas_after_append: return e_neraa;
    case Error::out_of_order_sequence_number: return e_oose;
    case Error::invalid_producer_epoch: return e_ipe;
    case Error::network_exception: return e_net;
    default: ok = false; return e_none;
  }
}

}  // namespace

SymbolicTracker::StepCheck SymbolicTracker::step(const Event& ev, const std::vector<Effect>& effects,
                                                 const World& after) {
  Impl& t = *impl_;
  if (t.spent) return {Verdict::out_of_bounds, "the tracker stopped at an earlier step"};
  const int m = t.cfg.max_in_flight;
  const std::size_t k = 0;
  auto stop = [&](Verdict v, std::string why) {
    t.spent = true;
    return StepCheck{v, std::move(why)};
  };
  if (t.steps >= t.max_steps) return stop(Verdict::out_of_bounds, "longer than the tracker's bound");
  unsigned kind = k_tick;
  unsigned param = 0;
  switch (ev.kind) {
    case Event::Kind::send:
      if (ev.count != 1) return stop(Verdict::out_of_bounds, "a send of more than one record");
      if (static_cast<int>(after.sends().size()) > t.cfg.batches) return stop(Verdict::out_of_bounds, "more sends than B");
      kind = k_send;
      break;
    case Event::Kind::drain: kind = k_drain; break;
    case Event::Kind::deliver_request: kind = k_deliver; break;
    case Event::Kind::fail_request:
      if (ev.error == Error::not_enough_replicas) {
        kind = k_fail_ner;
      } else if (ev.error == Error::not_enough_replicas_after_append) {
        kind = k_fail_neraa;
      } else {
        return stop(Verdict::out_of_bounds, "an injected error outside the small world");
      }
      break;
    case Event::Kind::deliver_response: kind = k_deliver_response; break;
    case Event::Kind::lose_response: kind = k_lose_response; break;
    case Event::Kind::break_connection:
    case Event::Kind::timeout:
      kind = ev.kind == Event::Kind::timeout ? k_timeout : k_break;
      param = static_cast<unsigned>(std::min<std::int64_t>(ev.count, m));
      break;
    case Event::Kind::process_zombie: kind = k_zombie; break;
    case Event::Kind::tick: kind = k_tick; break;
    default: return stop(Verdict::out_of_bounds, "an event kind outside the small world");
  }
  try {
    z3::context& c = t.ctx;
    const Encoder& e = t.run.enc();
    std::vector<expr> cs;
    {
      State pre = t.run.state(0);
      const auto refs = pre.refs();
      for (std::size_t i = 0; i < refs.size(); ++i) cs.push_back(*refs[i] == t.values[i]);
    }
    cs.push_back(t.run.kind(k) == e.kind(kind));
    cs.push_back(t.run.param(k) == e.bv(param));
    const State& s = t.run.state(k + 1);
    const Outputs& out = t.run.outputs(k);
    std::vector<std::pair<expr, std::string>> obs;  // (constraint, what it says)
    auto add = [&](const expr& x, std::string what) { obs.emplace_back(x, std::move(what)); };
    auto B = static_cast<std::size_t>(t.cfg.batches);
    const auto& sends = after.sends();
    const auto& log = after.log(0);
    auto batch_at = [&](std::int64_t offset) -> std::int64_t {
      for (const LoggedBatch& b : log) {
        if (b.first_offset == offset) return b.records.first;
      }
      return -1;
    };
    auto index_of = [&](std::uint64_t batch_id) -> std::int64_t {
      for (std::size_t i = 0; i < sends.size(); ++i) {
        if (sends[i].batch_id == batch_id) return static_cast<std::int64_t>(i);
      }
      return -1;
    };
    add(s.nsent == e.bv(static_cast<unsigned>(sends.size())), cat("sends = ", sends.size()));
    // Log and outcomes.
    for (std::size_t i = 0; i < B; ++i) {
      bool in_log = false;
      for (const LoggedBatch& b : log) in_log = in_log || b.records.first == static_cast<std::int64_t>(i);
      add(s.written[i] == c.bool_val(in_log), cat("batch ", i, " in log = ", in_log));
      const auto state = i < sends.size() ? sends[i].outcome.state : SendOutcome::State::pending;
      const bool acked = state == SendOutcome::State::acknowledged;
      add(s.acked[i] == c.bool_val(acked), cat("batch ", i, " acknowledged = ", acked));
      add(s.failed[i] == c.bool_val(state == SendOutcome::State::failed), cat("batch ", i, " failed"));
      if (acked) {
        const std::int64_t holder = batch_at(sends[i].outcome.offset);
        if (holder < 0) {
          add(s.ack_at[i] == e.bv(static_cast<unsigned>(B)), cat("batch ", i, " acked at an offset holding nothing"));
        } else {
          add(s.ack_at[i] == e.bv(static_cast<unsigned>(holder)), cat("batch ", i, " acked at the offset of batch ", holder));
        }
      }
    }
    const bool dup = !find_anomalies(after, CheckSet::only(Anomaly::duplicate)).empty();
    const bool nonmono = !find_anomalies(after, CheckSet::only(Anomaly::nonmonotonic_send)).empty();
    add(s.dup == c.bool_val(dup), cat("duplicate = ", dup));
    add(s.nonmono == c.bool_val(nonmono), cat("nonmonotonic = ", nonmono));
    // Stamps of the batches still being worked on.
    if (t.cfg.idempotence) {
      std::vector<bool> listed(B, false);
      for (const auto& [partition, stamp] : after.in_flight(0)) {
        const std::int64_t i = index_of(stamp.batch_id);
        if (i < 0) continue;
        listed[static_cast<std::size_t>(i)] = true;
        const auto u = static_cast<std::size_t>(i);
        add(s.has_stamp[u] && s.epoch[u] == e.ev(static_cast<unsigned>(stamp.stamp.epoch)) &&
                s.seq[u] == e.bv(static_cast<unsigned>(stamp.base_sequence)) &&
                s.reopened[u] == c.bool_val(stamp.reopened),
            cat("stamp of ", stamp));
      }
      for (std::size_t i = 0; i < sends.size() && i < B; ++i) {
        if (!listed[i] && sends[i].outcome.state == SendOutcome::State::pending) {
          add(!s.has_stamp[i], cat("batch ", i, " not stamped"));
        }
      }
      // Sequencer.
      const WorldObservation o = after.observe();
      const SequencerState& q = o.sequencers.at(0);
      add(s.cur == e.ev(static_cast<unsigned>(q.current.epoch)), cat("current epoch ", q.current.epoch));
      add(s.bump == c.bool_val(q.epoch_bump_required), "epoch bump required");
      const auto it = q.partitions.find(0);
      std::vector<bool> infl(B, false);
      if (it == q.partitions.end()) {
        add(!s.pvalid && s.next == e.bv(0) && s.lacked1 == e.bv(0), "no partition entry in the sequencer");
      } else {
        const PartitionSequenceState& p = it->second;
        if (p.stamp.producer_id < 0) {
          add(!s.pvalid, "partition stamp none");
        } else {
          add(s.pvalid && s.pepoch == e.ev(static_cast<unsigned>(p.stamp.epoch)), cat("partition stamp ", p.stamp));
        }
        add(s.next == e.bv(static_cast<unsigned>(p.next_sequence)), cat("next sequence ", p.next_sequence));
        add(s.lacked1 == e.bv(static_cast<unsigned>(p.last_acked_sequence + 1)),
            cat("last acked ", p.last_acked_sequence));
        for (const BatchStamp& b : p.in_flight) {
          const std::int64_t i = index_of(b.batch_id);
          if (i >= 0) infl[static_cast<std::size_t>(i)] = true;
        }
      }
      for (std::size_t i = 0; i < B; ++i) add(s.sinfl[i] == c.bool_val(infl[i]), cat("batch ", i, " in sequencer in-flight"));
      // Broker producer state.
      const auto& entries = o.partition_producers.at(0);
      if (entries.empty()) {
        add(!s.has_entry, "no broker entry");
      } else {
        const ProducerEntry& pe = entries.front();
        add(s.has_entry && s.bepoch == e.ev(static_cast<unsigned>(pe.epoch)) &&
                s.clen == e.bv(static_cast<unsigned>(pe.batches.size())),
            cat("broker entry ", pe));
        for (std::size_t i = 0; i < pe.batches.size() && i < s.cseq.size(); ++i) {
          const std::int64_t holder = batch_at(pe.batches[i].first_offset);
          add(s.cseq[i] == e.bv(static_cast<unsigned>(pe.batches[i].first_sequence)) &&
                  s.cat[i] == e.bv(static_cast<unsigned>(std::max<std::int64_t>(holder, 0))),
              cat("broker cache slot ", i, " ", pe.batches[i]));
        }
      }
    }
    // The step's effects.
    bool drained = false, answered = false, mismatch = false;
    for (const Effect& f : effects) {
      if (f.kind == Effect::Kind::batch_in_request) {
        drained = true;
        add(out.drained && out.drained_batch == e.bv(static_cast<unsigned>(index_of(f.batch))),
            cat("drained batch#", f.batch));
      } else if (f.kind == Effect::Kind::batch_answered && !f.zombie) {
        answered = true;
        bool ok = true;
        const unsigned code = err_code(f.error, ok);
        if (!ok) return stop(Verdict::out_of_bounds, cat("an answer outside the small world: ", f));
        expr x = out.answered && out.ans_batch == e.bv(static_cast<unsigned>(index_of(f.batch))) &&
                 out.ans_err == e.err(code) && out.ans_dup == c.bool_val(f.duplicate);
        if (f.error == Error::none) {
          const std::int64_t holder = batch_at(f.offset);
          x = x && out.ans_at == e.bv(static_cast<unsigned>(std::max<std::int64_t>(holder, 0)));
        }
        add(x, cat("answer ", f));
      } else if (f.kind == Effect::Kind::connection_broken) {
        add(out.zombies == e.bv(static_cast<unsigned>(f.value)), cat("zombies created ", f.value));
      } else if (f.kind == Effect::Kind::correlation_mismatch) {
        mismatch = true;
      }
    }
    if (!drained) add(!out.drained, "nothing drained");
    if (!answered) add(!out.answered, "no answer");
    add(out.mismatch == c.bool_val(mismatch), cat("correlation mismatch = ", mismatch));
    t.solver.push();
    for (const expr& x : cs) t.solver.add(x);
    // The zombie bound is part of the domain: exceeding it is out of bounds, not a disagreement.
    t.solver.push();
    for (const auto& [x, what] : obs) t.solver.add(x);
    const z3::check_result r = t.solver.check();
    if (r == z3::sat) {
      const z3::model model = t.solver.get_model();
      State post = t.run.state(1);
      const auto refs = post.refs();
      for (std::size_t i = 0; i < refs.size(); ++i) t.values[i] = model.eval(*refs[i], true);
      t.solver.pop();
      t.solver.pop();
      ++t.steps;
      return {Verdict::agrees, {}};
    }
    t.solver.pop();
    // Find out why: out of the domain, or which observation fails.
    t.solver.push();
    const z3::check_result dom = t.solver.check();
    t.solver.pop();
    if (dom != z3::sat) return stop(Verdict::out_of_bounds, "outside the bounded world (zombie capacity)");
    std::string why;
    for (const auto& [x, what] : obs) {
      t.solver.push();
      t.solver.add(x);
      const bool fails = t.solver.check() != z3::sat;
      t.solver.pop();
      if (fails) {
        why += (why.empty() ? "" : "; ") + what;
      }
    }
    return stop(Verdict::disagrees, "World shows what the symbolic step cannot: " + why);
  } catch (const z3::exception& ex) {
    return stop(Verdict::disagrees, std::string("z3: ") + ex.msg());
  }
}

}  // namespace idemcheck::spec
