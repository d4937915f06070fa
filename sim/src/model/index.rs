//! Typed indices into the scenario's lists and the simulator's tables, so that an agent's
//! index cannot be passed where a queue's is meant, and "no agent" is an `Option`, not a
//! sentinel value. Each is a `u32` (as small as the raw index it replaces) and a [`Table`]
//! indexes with it directly.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index type: a position in one kind of list.
pub(super) trait Idx: Copy {
    /// The index of position `position`.
    fn new(position: usize) -> Self;
    /// Its position.
    fn get(self) -> usize;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub(super) struct $name(u32);

        impl Idx for $name {
            #[inline]
            fn new(position: usize) -> Self {
                // Scenario lists and contact slots are far below 2^32 (the scenario's
                // checks bound agents and queues; slots follow open contacts).
                $name(position as u32)
            }

            #[inline]
            fn get(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A contact's slot in the contact slab.
    ContactIdx
);
index_type!(
    /// An agent, in the scenario's `agents`.
    AgentIdx
);
index_type!(
    /// A queue, in the scenario's `queues`.
    QueueIdx
);
index_type!(
    /// A workstream, in the scenario's `workstreams`.
    WorkstreamIdx
);
index_type!(
    /// An outbound campaign, in the scenario's `campaigns`.
    CampaignIdx
);
index_type!(
    /// A bot, in the scenario's `bots`.
    BotIdx
);
index_type!(
    /// A pending return, in the return slab.
    ReturnIdx
);

/// A vector indexed by one index type.
pub(super) struct Table<I, T> {
    rows: Vec<T>,
    index: PhantomData<I>,
}

impl<I: Idx, T> Table<I, T> {
    /// A table of `rows`, the first at index 0.
    pub(super) fn new(rows: Vec<T>) -> Self {
        Table {
            rows,
            index: PhantomData,
        }
    }

    /// Every index of the table, in order.
    pub(super) fn indices(&self) -> impl Iterator<Item = I> {
        (0..self.rows.len()).map(I::new)
    }
}

impl<I: Idx, T> Index<I> for Table<I, T> {
    type Output = T;

    #[inline]
    fn index(&self, index: I) -> &T {
        &self.rows[index.get()]
    }
}

impl<I: Idx, T> IndexMut<I> for Table<I, T> {
    #[inline]
    fn index_mut(&mut self, index: I) -> &mut T {
        &mut self.rows[index.get()]
    }
}

/// A table whose rows are taken and given back: a freed row is reused by the next taker.
pub(super) struct Slab<I, T> {
    rows: Table<I, T>,
    free: Vec<I>,
}

impl<I: Idx, T> Slab<I, T> {
    /// An empty slab with room for `capacity` rows.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Slab {
            rows: Table::new(Vec::with_capacity(capacity)),
            free: Vec::new(),
        }
    }

    /// A row to use: a freed one if there is one (as it was left), else a new one made by
    /// `make`.
    pub(super) fn take(&mut self, make: impl FnOnce() -> T) -> I {
        match self.free.pop() {
            Some(index) => index,
            None => {
                self.rows.rows.push(make());
                I::new(self.rows.rows.len() - 1)
            }
        }
    }

    /// Gives row `index` back for reuse.
    pub(super) fn give_back(&mut self, index: I) {
        self.free.push(index);
    }
}

impl<I: Idx, T> Index<I> for Slab<I, T> {
    type Output = T;

    #[inline]
    fn index(&self, index: I) -> &T {
        &self.rows[index]
    }
}

impl<I: Idx, T> IndexMut<I> for Slab<I, T> {
    #[inline]
    fn index_mut(&mut self, index: I) -> &mut T {
        &mut self.rows[index]
    }
}
