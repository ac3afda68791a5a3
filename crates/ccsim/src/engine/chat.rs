//! Agents who hold several chats at once, each slowed by the others.
//!
//! An agent of a group that serves chat may hold up to `concurrency` chats. With k chats
//! open, each progresses at the rate 1 / (1 + slowdown × (k − 1)) of its work per unit of
//! time, so a chat's work (its drawn talk time × proficiency, plus after-call work) takes
//! longer the busier its agent is. Each chatting agent has a record here with the work
//! left on each chat; whenever its number of chats changes, the work done since the last
//! change is subtracted at the old rate and the next completion is rescheduled at the new
//! one (the old completion event is recognised as stale by its generation). Records exist
//! per agent, never per contact, and are reused.
//!
//! With concurrency 1 and no slowdown a chat's completion is its start plus its work,
//! exactly, so chat behaves as voice.

use std::collections::BTreeSet;

use crate::model::Micros;

/// One open chat: its call type and the work left (µs at rate 1) as of the agent's
/// last update.
#[derive(Debug, Clone, Copy)]
pub struct Chat {
    pub call_type: u32,
    pub remaining: f64,
}

#[derive(Debug, Clone, Default)]
struct ChatAgent {
    chats: Vec<Chat>,
    last: Micros,
    generation: u32,
}

/// The chatting agents of one group.
#[derive(Debug, Clone)]
pub struct ChatPool {
    agents: Vec<ChatAgent>,
    free: Vec<u32>,
    /// Chatting agents with a free slot, least loaded first: (chats, agent).
    open: BTreeSet<(u32, u32)>,
    pub concurrency: u32,
    slowdown: f64,
}

/// Work left below this (µs) is done: completions are scheduled on whole microseconds.
const DONE: f64 = 0.5;

impl ChatPool {
    pub fn new(concurrency: u32, slowdown: f64) -> Self {
        ChatPool {
            agents: Vec::new(),
            free: Vec::new(),
            open: BTreeSet::new(),
            concurrency,
            slowdown,
        }
    }

    /// The rate at which each of k open chats progresses.
    #[inline]
    pub fn rate(&self, k: usize) -> f64 {
        1.0 / (1.0 + self.slowdown * (k.max(1) - 1) as f64)
    }

    /// The chatting agent with a free slot and the fewest chats (ties: the lowest
    /// record), with its number of chats.
    pub fn least_loaded(&self) -> Option<(u32, u32)> {
        self.open.first().copied()
    }

    pub fn chats(&self, agent: u32) -> &[Chat] {
        &self.agents[agent as usize].chats
    }

    /// A record for an agent who starts chatting now.
    pub fn start(&mut self, now: Micros) -> u32 {
        let id = self.free.pop().unwrap_or_else(|| {
            self.agents.push(ChatAgent::default());
            (self.agents.len() - 1) as u32
        });
        let agent = &mut self.agents[id as usize];
        agent.chats.clear();
        agent.last = now;
        id
    }

    /// Brings the work left on the agent's chats up to `now`.
    pub fn advance(&mut self, agent: u32, now: Micros) {
        let rate = self.rate(self.agents[agent as usize].chats.len());
        let a = &mut self.agents[agent as usize];
        let worked = (now - a.last) as f64 * rate;
        a.last = now;
        if worked > 0.0 {
            for chat in &mut a.chats {
                chat.remaining -= worked;
            }
        }
    }

    /// Adds a chat to an agent (advanced to now).
    pub fn add(&mut self, agent: u32, chat: Chat) {
        let k = self.agents[agent as usize].chats.len() as u32;
        self.open.remove(&(k, agent));
        self.agents[agent as usize].chats.push(chat);
        if k + 1 < self.concurrency {
            self.open.insert((k + 1, agent));
        }
    }

    /// Removes the agent's finished chats (advanced to now) into `done`.
    pub fn take_finished(&mut self, agent: u32, done: &mut Vec<u32>) {
        let k = self.agents[agent as usize].chats.len() as u32;
        self.open.remove(&(k, agent));
        let a = &mut self.agents[agent as usize];
        a.chats.retain(|c| {
            let finished = c.remaining <= DONE;
            if finished {
                done.push(c.call_type);
            }
            !finished
        });
        let k = a.chats.len() as u32;
        if k > 0 && k < self.concurrency {
            self.open.insert((k, agent));
        }
    }

    /// Stops offering the agent's free slots (they leave when their chats end).
    pub fn close_slots(&mut self, agent: u32) {
        let k = self.agents[agent as usize].chats.len() as u32;
        self.open.remove(&(k, agent));
    }

    /// When the agent's next chat ends at the current rate, with the generation that
    /// event must carry; every earlier event of this agent becomes stale.
    pub fn next_end(&mut self, agent: u32) -> (Micros, u32) {
        let rate = self.rate(self.agents[agent as usize].chats.len());
        let a = &mut self.agents[agent as usize];
        a.generation = a.generation.wrapping_add(1);
        let least = a.chats.iter().map(|c| c.remaining).fold(f64::INFINITY, f64::min);
        // A float beyond u64 saturates, and so does the sum: a chat that would end past
        // 2^64 µs ends "never", it does not wrap to the past.
        let wait = (least.max(0.0) / rate).ceil() as Micros;
        (a.last.saturating_add(wait), a.generation)
    }

    pub fn is_current(&self, agent: u32, generation: u32) -> bool {
        self.agents[agent as usize].generation == generation
    }

    /// The agent has no chats left: its record is reused.
    pub fn release(&mut self, agent: u32) {
        self.close_slots(agent);
        let a = &mut self.agents[agent as usize];
        a.generation = a.generation.wrapping_add(1);
        self.free.push(agent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chat_without_slowdown_ends_after_its_work_exactly() {
        let mut pool = ChatPool::new(1, 0.0);
        let a = pool.start(1_000);
        pool.add(
            a,
            Chat {
                call_type: 0,
                remaining: 180_000_123.0,
            },
        );
        assert_eq!(pool.next_end(a).0, 180_001_123);
        assert_eq!(pool.least_loaded(), None, "no free slot with concurrency 1");
    }

    #[test]
    fn a_second_chat_slows_the_first() {
        // Slowdown 0.5: two chats each progress at 1/1.5.
        let mut pool = ChatPool::new(3, 0.5);
        let a = pool.start(0);
        pool.add(
            a,
            Chat {
                call_type: 0,
                remaining: 100.0,
            },
        );
        assert_eq!(pool.least_loaded(), Some((1, a)));
        pool.advance(a, 40);
        pool.add(
            a,
            Chat {
                call_type: 1,
                remaining: 300.0,
            },
        );
        assert_eq!(pool.least_loaded(), Some((2, a)));
        // 60 µs of work left at rate 2/3: 90 µs.
        assert_eq!(pool.next_end(a).0, 130);
        pool.advance(a, 130);
        let mut done = Vec::new();
        pool.take_finished(a, &mut done);
        assert_eq!(done, vec![0]);
        assert_eq!(pool.chats(a).len(), 1);
        assert!((pool.chats(a)[0].remaining - 240.0).abs() < 1e-9);
        assert_eq!(pool.least_loaded(), Some((1, a)));
    }

    #[test]
    fn stale_completions_are_recognised() {
        let mut pool = ChatPool::new(2, 0.0);
        let a = pool.start(0);
        pool.add(
            a,
            Chat {
                call_type: 0,
                remaining: 10.0,
            },
        );
        let (_, first) = pool.next_end(a);
        pool.add(
            a,
            Chat {
                call_type: 0,
                remaining: 5.0,
            },
        );
        let (t, second) = pool.next_end(a);
        assert!(!pool.is_current(a, first) && pool.is_current(a, second));
        assert_eq!(t, 5);
    }
}
