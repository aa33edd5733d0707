;; The page's SIMD mask kernel (RFC 6455 §5.3: byte i XOR key[i MOD 4]), as
;; app/loopback/wasm-mask-module.ts builds its bytes, instruction for instruction (the body in
;; the linear form, one instruction per line, so each line is one entry there).
;;
;; mask(len, key) XORs memory[0 .. len) in place. `key` is the 4-byte key as one i32, key[0] in
;; the low byte: WebAssembly memory is little-endian, so i32x4.splat lays the key bytes out
;; k0 k1 k2 k3 k0 k1 ... in every 16-byte lane, and byte p of memory meets key[p MOD 4] as long
;; as the data starts at address 0 (the caller copies it there).
(module
  (memory (export "memory") 1)
  (func (export "mask") (param $len i32) (param $key i32)
    (local $k v128) (local $p i32) (local $end i32)
    local.get $key
    i32x4.splat
    local.set $k
    ;; 64 bytes a round (four 16-byte blocks) up to the last whole 64
    local.get $len
    i32.const -64
    i32.and
    local.set $end
    block $done64
      loop $next64
        local.get $p
        local.get $end
        i32.ge_u
        br_if $done64
        local.get $p
        local.get $p
        v128.load offset=0 align=16
        local.get $k
        v128.xor
        v128.store offset=0 align=16
        local.get $p
        local.get $p
        v128.load offset=16 align=16
        local.get $k
        v128.xor
        v128.store offset=16 align=16
        local.get $p
        local.get $p
        v128.load offset=32 align=16
        local.get $k
        v128.xor
        v128.store offset=32 align=16
        local.get $p
        local.get $p
        v128.load offset=48 align=16
        local.get $k
        v128.xor
        v128.store offset=48 align=16
        local.get $p
        i32.const 64
        i32.add
        local.set $p
        br $next64
      end
    end
    ;; then 16 bytes a round up to the last whole 16
    local.get $len
    i32.const -16
    i32.and
    local.set $end
    block $done16
      loop $next16
        local.get $p
        local.get $end
        i32.ge_u
        br_if $done16
        local.get $p
        local.get $p
        v128.load offset=0 align=16
        local.get $k
        v128.xor
        v128.store offset=0 align=16
        local.get $p
        i32.const 16
        i32.add
        local.set $p
        br $next16
      end
    end
    ;; the last 0-15 bytes one by one: byte p XOR (key >> 8 * (p MOD 4))
    block $done1
      loop $next1
        local.get $p
        local.get $len
        i32.ge_u
        br_if $done1
        local.get $p
        local.get $p
        i32.load8_u offset=0 align=1
        local.get $key
        local.get $p
        i32.const 3
        i32.and
        i32.const 3
        i32.shl
        i32.shr_u
        i32.xor
        i32.store8 offset=0 align=1
        local.get $p
        i32.const 1
        i32.add
        local.set $p
        br $next1
      end
    end
  )
)
