/* Pointer-heavy code: a binary search tree and a doubly linked list built from a static pool,
   with insertion, deletion, traversal and recursion. */
#include "runtime.h"

struct node {
  struct node *left, *right;
  u32 key;
  u32 count;
};

struct link {
  struct link *prev, *next;
  u32 value;
};

static struct node nodes[256];
static struct link links[128];
static u32 used;

static struct node *insert(struct node *t, u32 key) {
  if (!t) {
    struct node *n = &nodes[used++];
    n->key = key;
    n->count = 1;
    return n;
  }
  if (key == t->key) t->count++;
  else if (key < t->key) t->left = insert(t->left, key);
  else t->right = insert(t->right, key);
  return t;
}

static u32 walk(const struct node *t, u32 h) {
  if (!t) return h;
  h = walk(t->left, h);
  h = mix(h, t->key * 3 + t->count);
  return walk(t->right, h);
}

static u32 depth(const struct node *t) {
  if (!t) return 0;
  u32 l = depth(t->left), r = depth(t->right);
  return 1 + (l > r ? l : r);
}

int main(void) {
  put_str("linked\n");
  u32 seed = 77;
  struct node *root = 0;
  for (int i = 0; i < 250; i++) root = insert(root, xorshift(&seed) % 200);
  show("tree walk", walk(root, 0));
  show("tree nodes", used);
  show("tree depth", depth(root));

  struct link head = {&head, &head, 0};
  for (u32 i = 0; i < 128; i++) {
    struct link *l = &links[i];
    l->value = xorshift(&seed);
    struct link *at = i & 1 ? head.prev : &head;
    l->prev = at;
    l->next = at->next;
    at->next->prev = l;
    at->next = l;
  }
  for (struct link *l = head.next; l != &head;) {
    struct link *next = l->next;
    if (l->value & 4) {
      l->prev->next = l->next;
      l->next->prev = l->prev;
    }
    l = next;
  }
  u32 h = 0, n = 0;
  for (struct link *l = head.next; l != &head; l = l->next) h = mix(h, l->value), n++;
  for (struct link *l = head.prev; l != &head; l = l->prev) h = mix(h, l->value >> 3);
  show("list", h);
  show("list length", n);
  return 0;
}
