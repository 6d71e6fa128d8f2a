// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {FluxToken} from "./FluxToken.sol";

/// @title FluxBridge: lock-and-mint / burn-and-release of FLUX on an EVM chain.
/// @notice k of n relayers authorise each mint of FLUX locked on the FLUX chain
/// (MintAuth, DESIGN §3). Every limit is fixed at deployment: there is no owner,
/// no proxy and no upgrade path, so no key can lift the rate limit or the cap.
/// Burns are permissionless and never paused: only one below minBurn or to
/// another network's address is refused. Their contiguous nonces drive
/// releases on the FLUX chain.
contract FluxBridge {
    /// @notice The longest a single signer can pause minting for: at once, and
    /// in total over all its pauses while one signer set is current.
    uint64 public constant MAX_PAUSE = 48 hours;
    /// @notice The largest signer set.
    uint256 public constant MAX_SIGNERS = 64;
    /// @notice The rate-limit window: the bucket drains rateLimit per 24 h.
    uint256 public constant WINDOW = 24 hours;
    /// @notice The most locks one mintBatch takes.
    uint256 public constant MAX_BATCH = 256;
    // secp256k1n / 2: a larger s is the malleable twin of a valid signature.
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice The parallel asset; this bridge is its only minter and burner.
    FluxToken public immutable token;
    /// @notice The smallest lock value (gross, zatoshi) that mints.
    uint64 public immutable minLock;
    /// @notice The flat fee (zatoshi) deducted from a lock's first instalment;
    /// it is not minted and stays in the reserve as slack.
    uint64 public immutable mintFee;
    /// @notice The smallest burn (zatoshi): at least the release fee plus
    /// FLUX's dust limit, so every burn can be paid on the FLUX chain.
    uint64 public immutable minBurn;
    /// @notice The most that can be minted per 24 h (leaky bucket).
    uint64 public immutable rateLimit;
    /// @notice The most that can be in circulation on this chain.
    uint64 public immutable cap;
    /// @notice How long the previous signer set stays valid after a rotation.
    uint32 public immutable graceSeconds;
    /// @notice The FLUX network's P2PKH (t1) address prefix, accepted by burn.
    bytes2 public immutable p2pkhPrefix;
    /// @notice The FLUX network's P2SH (t3) address prefix, accepted by burn.
    bytes2 public immutable p2shPrefix;

    // Minting state, in one slot: read and written by every mint.
    /// @notice Minting is paused while block.timestamp < pausedUntil.
    uint64 public pausedUntil;
    /// @notice The rate-limit bucket's level at bucketUpdatedAt.
    uint64 public bucket;
    /// @notice When the bucket was last filled (the last mint, or deployment).
    uint64 public bucketUpdatedAt;
    /// @notice Σ minted (net of fees) over all mints.
    uint64 public totalMinted;

    /// @notice Σ fees kept over all mints.
    uint64 public totalFees;
    /// @notice Σ burned over all burns.
    uint64 public totalBurned;
    /// @notice The number of burns so far: the next burn's nonce.
    uint64 public burnCount;
    /// @notice Until when the previous signer set is still accepted.
    uint64 public previousValidUntil;

    /// @notice The current signer set's id (1 at deployment, +1 per rotation).
    uint32 public currentSetId;
    /// @notice The number of pauses begun so far: pauseMint calls made while
    /// minting was not paused. Extending a running pause does not count, so
    /// it cannot void an unpause gathered for that pause; an unpause binds it.
    uint64 public pauseCount;

    struct SignerSet {
        address[] members;
        uint8 threshold;
    }

    struct LockState {
        uint64 remaining; // what is still to be minted once started
        bool started; // the first instalment was minted (the fee was taken)
        bool used; // fully minted
    }

    /// @notice One lock of a batch: mint's arguments without the signatures.
    struct MintItem {
        bytes32 txid;
        uint32 vout;
        uint64 v;
        bytes32 recipient;
    }

    mapping(uint32 => SignerSet) private sets;
    mapping(uint32 => mapping(address => uint8)) private memberIndex; // index + 1
    mapping(bytes32 => LockState) private locks;

    // PauseBudget is what one signer of one set has spent of its MAX_PAUSE:
    // the seconds of pause it added, and the last span of pause it added,
    // [from, until) of pause number `pause`. If a quorum ended that pause
    // early, the part of the span after the unpause never ran and is given
    // back when the budget is next read (_spent). Only the last span is kept:
    // a signer that extends a pause again after another signer extended it
    // forgoes the refund of its earlier span, which errs on its own side.
    struct PauseBudget {
        uint64 charged;
        uint64 pause;
        uint64 from;
        uint64 until;
    }

    mapping(uint32 => mapping(address => PauseBudget)) private pauseBudgets; // by set id, then signer
    mapping(uint64 => uint64) private unpausedAt; // pause number => when a quorum ended it

    /// @notice A lock's instalment was minted.
    event Minted(
        bytes32 indexed lockId,
        bytes32 txid,
        uint32 vout,
        address indexed recipient,
        uint64 amount,
        uint64 fee,
        uint64 remaining,
        uint32 setId,
        uint256 signerBitmap
    );
    /// @notice FLUX was burned to be released to fluxAddr on the FLUX chain.
    event Burn(uint64 indexed nonce, uint64 amount, bytes22 fluxAddr, address indexed sender);
    /// @notice A signer paused minting.
    event MintPaused(address indexed by, uint64 until);
    /// @notice A quorum ended a pause early.
    event MintUnpaused(uint32 setId, uint256 signerBitmap);
    /// @notice A new signer set took over (also emitted for the initial set).
    event SignerSetRotated(uint32 indexed setId, address[] signers, uint8 threshold, uint64 previousValidUntil);

    error InvalidSignerSet();
    error InvalidThreshold(uint256 threshold, uint256 signers);
    // InvalidLimits: a zero rate limit, cap or minimum burn, or a mint fee
    // not below the minimum lock (a lock at the minimum must mint something).
    error InvalidLimits();
    error Paused(uint64 until);
    error NotPaused();
    error BadSignatureLength(uint256 length);
    error HighS(uint256 index);
    error BadV(uint256 index);
    error BadSignature(uint256 index);
    error UnsortedSigners(uint256 index);
    error UnknownSigner(address signer);
    error InsufficientSignatures(uint256 have, uint256 need);
    error LockUsed(bytes32 lockId);
    error BadBatch(uint256 length);
    error UnsortedBatch(uint256 index);
    error BelowMinimum(uint64 value, uint64 minimum);
    error FeeExceedsValue(uint64 value, uint64 fee);
    error BadRecipient(bytes32 recipient);
    error RateLimited(uint64 room);
    error CapReached(uint64 cap);
    error ZeroAmount();
    error BelowBurnMinimum(uint64 amount, uint64 minimum);
    error BadAddressPrefix(bytes2 prefix);
    error NotSigner(address caller);
    // PauseBudgetSpent: what remains of signer's pause budget would not
    // extend the pause past the running one, so pausing would add no time.
    error PauseBudgetSpent(address signer, uint64 remaining);

    /// @param signers the initial signer set, strictly ascending, non-zero, at most 64
    /// @param threshold how many of them must sign (1..n)
    /// @param minLock_ the smallest lock value that mints (> mintFee_)
    /// @param mintFee_ the flat mint fee (< minLock_)
    /// @param minBurn_ the smallest burn (> 0): at least the release fee plus FLUX's dust limit
    /// @param rateLimit_ the most minted per 24 h (> 0)
    /// @param cap_ the most in circulation (> 0)
    /// @param graceSeconds_ how long a replaced signer set stays valid
    /// @param p2pkhPrefix_ the FLUX network's t1 (P2PKH) address prefix
    /// @param p2shPrefix_ the FLUX network's t3 (P2SH) address prefix
    constructor(
        address[] memory signers,
        uint8 threshold,
        uint64 minLock_,
        uint64 mintFee_,
        uint64 minBurn_,
        uint64 rateLimit_,
        uint64 cap_,
        uint32 graceSeconds_,
        bytes2 p2pkhPrefix_,
        bytes2 p2shPrefix_
    ) {
        if (rateLimit_ == 0 || cap_ == 0 || minBurn_ == 0 || mintFee_ >= minLock_) revert InvalidLimits();
        token = new FluxToken();
        minLock = minLock_;
        mintFee = mintFee_;
        minBurn = minBurn_;
        rateLimit = rateLimit_;
        cap = cap_;
        graceSeconds = graceSeconds_;
        p2pkhPrefix = p2pkhPrefix_;
        p2shPrefix = p2shPrefix_;
        bucketUpdatedAt = uint64(block.timestamp);
        _installSet(1, signers, threshold);
        currentSetId = 1;
        emit SignerSetRotated(1, signers, threshold, 0);
    }

    // ---- digests -------------------------------------------------------------

    /// @notice The on-chain key of lock (txid, vout): keccak256(txid ‖ uint32 vout).
    function lockId(bytes32 txid, uint32 vout) public pure returns (bytes32) {
        // keccak256(abi.encodePacked(txid, vout)), hashed in the scratch
        // space instead of newly allocated memory.
        bytes32 id;
        assembly ("memory-safe") {
            mstore(0, txid)
            mstore(32, shl(224, vout))
            id := keccak256(0, 36)
        }
        return id;
    }

    /// @notice The MintAuth digest each relayer signs (DESIGN §3), without any
    /// message prefix: keccak256("FLXMINT" ‖ uint32 chainId ‖ bridge ‖ txid ‖ uint32 vout ‖ uint64 v ‖ recipient).
    function mintDigest(bytes32 txid, uint32 vout, uint64 v, bytes32 recipient) public view returns (bytes32) {
        return _mintDigest(_mintDomain(), txid, vout, v, recipient);
    }

    /// @notice The batch digest each relayer signs for mintBatch (DESIGN §3),
    /// without any message prefix: keccak256("FLXMINTB" ‖ uint32 chainId ‖
    /// bridge ‖ uint32 count ‖ d₁ ‖ … ‖ dₙ), where dᵢ are the batch's MintAuth
    /// digests in strictly ascending order.
    function batchDigest(bytes32[] memory digests) public view returns (bytes32) {
        return keccak256(abi.encodePacked("FLXMINTB", uint32(block.chainid), address(this), uint32(digests.length), digests));
    }

    /// @notice The digest a quorum signs to end the current pause. It binds
    /// pauseCount, so signatures gathered for one pause cannot end a later
    /// one, while extensions of the running pause leave it unchanged.
    function unpauseDigest() public view returns (bytes32) {
        return keccak256(abi.encodePacked("FLXUNPAUSE", uint32(block.chainid), address(this), pauseCount));
    }

    /// @notice The digest the current set signs to install the next set.
    function rotateDigest(address[] calldata newSigners, uint8 newThreshold) public view returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                "FLXSET", uint32(block.chainid), address(this), currentSetId + 1, newThreshold, newSigners
            )
        );
    }

    // ---- mint ----------------------------------------------------------------

    /// @notice Mints the lock (txid, vout) of gross value v to recipient, with
    /// the relayers' MintAuth signatures (65 bytes each, r ‖ s ‖ v, ascending
    /// by signer address). Anyone may call. A lock larger than the rate limit
    /// or the cap allows mints in instalments: call again later with the same
    /// arguments. Checks, in order: pause, quorum, lock used, minimum, fee,
    /// recipient, rate limit, cap.
    /// @return minted what this call minted
    function mint(bytes32 txid, uint32 vout, uint64 v, bytes32 recipient, bytes calldata sigs)
        external
        returns (uint64 minted)
    {
        if (block.timestamp < pausedUntil) revert Paused(pausedUntil);
        (uint32 setId, uint256 bitmap) = _quorum(mintDigest(txid, vout, v, recipient), sigs, true);
        bytes32 id = lockId(txid, vout);
        LockState memory st = locks[id];
        if (st.used) revert LockUsed(id);
        (uint64 fee, uint64 want) = _plan(st.remaining, st.started, v, recipient);

        uint256 level = _bucketNow();
        uint256 room = rateLimit - level;
        if (room == 0) revert RateLimited(0);
        uint256 supply = token.totalSupply();
        if (supply >= cap) revert CapReached(cap);
        uint256 u = want;
        if (room < u) u = room;
        if (cap - supply < u) u = cap - supply;
        minted = uint64(u);

        st.remaining = want - minted;
        st.started = true;
        st.used = st.remaining == 0;
        locks[id] = st;
        bucket = uint64(level + u);
        bucketUpdatedAt = uint64(block.timestamp);
        totalMinted += minted;
        totalFees += fee;

        address to = address(uint160(uint256(recipient)));
        token.mint(to, u);
        emit Minted(id, txid, vout, to, minted, fee, st.remaining, setId, bitmap);
    }

    /// @notice Mints a batch of locks with one quorum of signatures over
    /// their batchDigest (65 bytes each, ascending by signer address). The
    /// items must be in strictly ascending order of their MintAuth digests
    /// (so no lock twice), 1 to MAX_BATCH of them. Anyone may call. Each lock
    /// is minted as mint would, except that a lock already fully minted, or
    /// one for which the rate limit or the cap leaves no room, is skipped
    /// instead of reverting the batch (a started lock continues its
    /// instalments); a lock below the minimum, not above the fee or to a bad
    /// recipient reverts the batch, which the relayers never sign. The token
    /// mints for the whole batch in one call after the last lock, so the
    /// batch's Minted events come first, then one Transfer per lock minted,
    /// in the same order.
    /// @return count how many locks this call minted something of
    function mintBatch(MintItem[] calldata items, bytes calldata sigs) external returns (uint256 count) {
        if (block.timestamp < pausedUntil) revert Paused(pausedUntil);
        uint256 n = items.length;
        if (n == 0 || n > MAX_BATCH) revert BadBatch(n);
        bytes32[] memory digests = new bytes32[](n);
        bytes32 domain = _mintDomain();
        bytes32 last;
        for (uint256 i; i < n; ++i) {
            MintItem calldata it = items[i];
            bytes32 d = _mintDigest(domain, it.txid, it.vout, it.v, it.recipient);
            if (i > 0 && d <= last) revert UnsortedBatch(i);
            digests[i] = d;
            last = d;
        }
        (uint32 setId, uint256 bitmap) = _quorum(batchDigest(digests), sigs, true);

        // room is the least of what the rate limit and the cap leave; each
        // lock minted takes what it mints from both, so from room.
        uint256 level = _bucketNow();
        uint256 room = rateLimit - level;
        uint256 supply = token.totalSupply();
        if (supply >= cap) room = 0;
        else if (cap - supply < room) room = cap - supply;
        // The token mints once, after the loop: mints[j] is the j-th lock
        // minted, amount << 160 | recipient (FluxToken.mintBatch).
        uint256[] memory mints = new uint256[](n);
        uint256 minted;
        uint256 fees;
        for (uint256 i; i < n; ++i) {
            MintItem calldata it = items[i];
            (bytes32 txid, uint32 vout, bytes32 recipient) = (it.txid, it.vout, it.recipient);
            bytes32 id = lockId(txid, vout);
            LockState storage st = locks[id];
            if (st.used) continue;
            (uint64 fee, uint64 want) = _plan(st.remaining, st.started, it.v, recipient);
            uint256 u = want < room ? want : room;
            if (u == 0) continue;
            uint64 remaining;
            unchecked {
                // u ≤ want and u ≤ room; minted and fees are sums of at most
                // MAX_BATCH uint64 values, far below 2²⁵⁶.
                remaining = want - uint64(u);
                room -= u;
                minted += u;
                fees += fee;
            }
            st.remaining = remaining;
            st.started = true;
            st.used = remaining == 0;
            address to = address(uint160(uint256(recipient)));
            mints[count] = u << 160 | uint160(to);
            ++count;
            emit Minted(id, txid, vout, to, uint64(u), fee, remaining, setId, bitmap);
        }
        if (count > 0) {
            bucket = uint64(level + minted);
            bucketUpdatedAt = uint64(block.timestamp);
            totalMinted += uint64(minted);
            totalFees += uint64(fees);
            assembly ("memory-safe") {
                mstore(mints, count) // shorten mints to the locks minted
            }
            token.mintBatch(mints);
        }
    }

    // ---- burn ----------------------------------------------------------------

    /// @notice Burns amount of the caller's FLUX to be released to fluxAddr
    /// (2-byte prefix ‖ 20-byte hash) on the FLUX chain. Never paused, never
    /// rate-limited. The amount must be at least minBurn, so every burn can
    /// be paid on the FLUX chain (BelowBurnMinimum otherwise), and the
    /// address prefix must be the network's t1 or t3 prefix. A refused burn
    /// consumes no nonce.
    /// @return nonce the burn's nonce (contiguous from 0)
    function burn(uint64 amount, bytes22 fluxAddr) external returns (uint64 nonce) {
        if (amount == 0) revert ZeroAmount();
        if (amount < minBurn) revert BelowBurnMinimum(amount, minBurn);
        bytes2 prefix = bytes2(fluxAddr);
        if (prefix != p2pkhPrefix && prefix != p2shPrefix) revert BadAddressPrefix(prefix);
        token.bridgeBurn(msg.sender, amount);
        nonce = burnCount;
        burnCount = nonce + 1;
        totalBurned += amount;
        emit Burn(nonce, amount, fluxAddr, msg.sender);
    }

    // ---- pause ---------------------------------------------------------------

    /// @notice Any one current signer pauses minting, or extends the running
    /// pause, until now + what remains of its pause budget: at most 48 h from
    /// now. Each signer has a budget of MAX_PAUSE seconds per signer set; a
    /// pause charges the signer the time it adds to pausedUntil, and the part
    /// of that time a quorum unpause cuts off is given back, so one signer
    /// alone keeps minting paused for at most MAX_PAUSE in total while its set
    /// is current. Reverts with PauseBudgetSpent if the pause would add no
    /// time. Only a pause begun while minting was not paused increments
    /// pauseCount, so an extension cannot void an unpause gathered for the
    /// running pause. Burns are never paused.
    function pauseMint() external {
        uint32 setId = currentSetId;
        if (memberIndex[setId][msg.sender] == 0) revert NotSigner(msg.sender);
        PauseBudget memory b = pauseBudgets[setId][msg.sender];
        uint64 spent = _spent(b);
        uint64 remaining = MAX_PAUSE - spent;
        uint64 now_ = uint64(block.timestamp);
        uint64 running = pausedUntil;
        uint64 from = running > now_ ? running : now_;
        uint64 until = now_ + remaining;
        if (until <= from) revert PauseBudgetSpent(msg.sender, remaining);
        uint64 pause = pauseCount;
        if (running <= now_) pauseCount = ++pause;
        spent += until - from;
        // A signer extending its own span (no one extended after it) keeps
        // one span; otherwise its previous span's refund, if any, is forgone.
        if (b.pause == pause && b.until == from) from = b.from;
        pauseBudgets[setId][msg.sender] = PauseBudget(spent, pause, from, until);
        pausedUntil = until;
        emit MintPaused(msg.sender, until);
    }

    /// @notice A quorum of the current set ends the pause early, signing
    /// unpauseDigest(). The pause time it cuts off goes back to the budgets of
    /// the signers who added it (from each one's latest extension of this
    /// pause); the time minting stood paused does not.
    function unpauseMint(bytes calldata sigs) external {
        if (block.timestamp >= pausedUntil) revert NotPaused();
        (uint32 setId, uint256 bitmap) = _quorum(unpauseDigest(), sigs, false);
        pausedUntil = 0;
        unpausedAt[pauseCount] = uint64(block.timestamp);
        emit MintUnpaused(setId, bitmap);
    }

    // ---- signer set rotation -------------------------------------------------

    /// @notice A quorum of the current set installs a new set (signing
    /// rotateDigest(newSigners, newThreshold)). The replaced set stays valid
    /// for mints for graceSeconds.
    function rotateSigners(address[] calldata newSigners, uint8 newThreshold, bytes calldata sigs) external {
        _quorum(rotateDigest(newSigners, newThreshold), sigs, false);
        uint32 next = currentSetId + 1;
        _installSet(next, newSigners, newThreshold);
        currentSetId = next;
        uint64 until = uint64(block.timestamp) + graceSeconds;
        previousValidUntil = until;
        emit SignerSetRotated(next, newSigners, newThreshold, until);
    }

    // ---- views ---------------------------------------------------------------

    /// @notice Gross lock value consumed: totalMinted + totalFees. This is what
    /// the relayers' accountant compares with the locks in the reserve.
    function totalConsumed() external view returns (uint64) {
        return totalMinted + totalFees;
    }

    /// @notice The state of a lock: fully used, started (first instalment
    /// minted), and what remains to mint.
    function lockState(bytes32 id) external view returns (bool used, bool started, uint64 remaining) {
        LockState memory st = locks[id];
        return (st.used, st.started, st.remaining);
    }

    /// @notice The most a mint could mint right now (rate limit and cap).
    function mintableNow() external view returns (uint64) {
        uint256 room = rateLimit - _bucketNow();
        uint256 supply = token.totalSupply();
        uint256 capRoom = supply >= cap ? 0 : cap - supply;
        return uint64(room < capRoom ? room : capRoom);
    }

    /// @notice The current signer set.
    function currentSigners() external view returns (uint32 setId, address[] memory members, uint8 threshold) {
        setId = currentSetId;
        SignerSet storage s = sets[setId];
        return (setId, s.members, s.threshold);
    }

    /// @notice The previous signer set and until when it is accepted (set 0 before any rotation).
    function previousSigners()
        external
        view
        returns (uint32 setId, address[] memory members, uint8 threshold, uint64 validUntil)
    {
        setId = currentSetId - 1;
        SignerSet storage s = sets[setId];
        return (setId, s.members, s.threshold, previousValidUntil);
    }

    /// @notice How many seconds of pause signer can still add in the current
    /// signer set: MAX_PAUSE less the time its pauses kept minting paused (for
    /// a running pause, all it added, unless a quorum ends it early); 0 for an
    /// account that is not in the current set.
    function pauseBudget(address signer) external view returns (uint64) {
        uint32 setId = currentSetId;
        if (memberIndex[setId][signer] == 0) return 0;
        return MAX_PAUSE - _spent(pauseBudgets[setId][signer]);
    }

    /// @notice Whether account is a member of the current signer set.
    function isSigner(address account) external view returns (bool) {
        return memberIndex[currentSetId][account] != 0;
    }

    // ---- internals -----------------------------------------------------------

    function _installSet(uint32 setId, address[] memory signers, uint8 threshold) private {
        uint256 n = signers.length;
        if (n == 0 || n > MAX_SIGNERS) revert InvalidSignerSet();
        if (threshold == 0 || threshold > n) revert InvalidThreshold(threshold, n);
        address last;
        for (uint256 i; i < n; ++i) {
            address a = signers[i];
            if (a <= last) revert InvalidSignerSet(); // zero, unsorted or repeated
            last = a;
            memberIndex[setId][a] = uint8(i + 1);
        }
        sets[setId] = SignerSet(signers, threshold);
    }

    // _spent is the pause time b has charged, less the part of its last span
    // that a quorum unpause cut off (the span never ran past the unpause).
    function _spent(PauseBudget memory b) private view returns (uint64) {
        uint64 end = unpausedAt[b.pause];
        if (end == 0 || end >= b.until) return b.charged;
        return b.charged - (b.until - (b.from > end ? b.from : end));
    }

    // _mintDomain is the first 31 bytes of every MintAuth message on this
    // bridge: "FLXMINT" ‖ uint32 chainId ‖ bridge (left-aligned).
    function _mintDomain() private view returns (bytes32) {
        return bytes32(abi.encodePacked("FLXMINT", uint32(block.chainid), address(this)));
    }

    // _mintDigest is mintDigest with the domain (_mintDomain) given: the
    // 107-byte message is hashed past the free memory pointer, allocating
    // nothing, so a batch hashes each lock's in the same place.
    function _mintDigest(bytes32 domain, bytes32 txid, uint32 vout, uint64 v, bytes32 recipient)
        private
        pure
        returns (bytes32 d)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, domain) // bytes 0–30; byte 31 is txid's first
            mstore(add(m, 31), txid)
            mstore(add(m, 63), shl(224, vout))
            mstore(add(m, 67), shl(192, v))
            mstore(add(m, 75), recipient)
            d := keccak256(m, 107)
        }
    }

    // _plan checks a lock not fully minted against the immutable rules and
    // returns the fee this instalment takes and what is still to be minted:
    // the minimum, the fee (first instalment only) and the recipient.
    function _plan(uint64 remaining, bool started, uint64 v, bytes32 recipient)
        private
        view
        returns (uint64 fee, uint64 want)
    {
        if (v < minLock) revert BelowMinimum(v, minLock);
        want = remaining;
        if (!started) {
            if (v <= mintFee) revert FeeExceedsValue(v, mintFee);
            fee = mintFee;
            unchecked {
                want = v - fee; // v > fee
            }
        }
        if (uint256(recipient) >> 160 != 0 || uint256(recipient) == 0) revert BadRecipient(recipient);
    }

    // The bucket's level now: drained linearly by rateLimit per WINDOW since
    // the last mint, rounded down (so the limit is never exceeded).
    function _bucketNow() private view returns (uint256) {
        uint256 drained = uint256(rateLimit) * (block.timestamp - bucketUpdatedAt) / WINDOW;
        return drained >= bucket ? 0 : bucket - drained;
    }

    // _quorum checks sigs over digest: each 65 bytes with v ∈ {27, 28} and a
    // low s, signers strictly ascending (so distinct), all members of one set
    // — the current one, or the previous one within its grace period when
    // allowPrevious — and at least that set's threshold of them.
    function _quorum(bytes32 digest, bytes calldata sigs, bool allowPrevious)
        private
        view
        returns (uint32 setId, uint256 bitmap)
    {
        if (sigs.length == 0 || sigs.length % 65 != 0) revert BadSignatureLength(sigs.length);
        uint256 n = sigs.length / 65;
        if (n > MAX_SIGNERS) revert BadSignatureLength(sigs.length);
        address[] memory signers = new address[](n);
        address last;
        for (uint256 i; i < n; ++i) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(sigs.offset, mul(i, 65))
                r := calldataload(p)
                s := calldataload(add(p, 32))
                v := byte(0, calldataload(add(p, 64)))
            }
            if (uint256(s) > HALF_N) revert HighS(i);
            if (v != 27 && v != 28) revert BadV(i);
            address a = ecrecover(digest, v, r, s);
            if (a == address(0)) revert BadSignature(i);
            if (a <= last) revert UnsortedSigners(i);
            last = a;
            signers[i] = a;
        }
        setId = currentSetId;
        address unknown;
        (bitmap, unknown) = _members(setId, signers);
        if (unknown == address(0) && n >= sets[setId].threshold) return (setId, bitmap);
        if (allowPrevious && block.timestamp < previousValidUntil) {
            (uint256 prevBitmap, address prevUnknown) = _members(setId - 1, signers);
            if (prevUnknown == address(0) && n >= sets[setId - 1].threshold) return (setId - 1, prevBitmap);
        }
        if (unknown != address(0)) revert UnknownSigner(unknown);
        revert InsufficientSignatures(n, sets[setId].threshold);
    }

    // _members returns the bitmap of signers in set setId, or the first signer
    // that is not a member.
    function _members(uint32 setId, address[] memory signers) private view returns (uint256 bitmap, address unknown) {
        for (uint256 i; i < signers.length; ++i) {
            uint8 idx = memberIndex[setId][signers[i]];
            if (idx == 0) return (0, signers[i]);
            bitmap |= uint256(1) << (idx - 1);
        }
    }
}
